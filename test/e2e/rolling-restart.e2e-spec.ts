import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { clientKey } from '../../src/common/http/client-address';
import { createTestDatabase } from '../setup/test-database';
import { HAPROXY, haproxyServerStates, localHaproxyConfig, spawnHaproxy } from '../utils/haproxy';
import { testRedis, type TestRedis } from '../utils/test-redis';
import { freePort, MAIN_JS, SpawnedServer, spawnServer } from '../utils/spawn-server';

/**
 * A rolling restart behind the shipped HAProxy configuration (deploy/haproxy.cfg, with the servers
 * on this machine; docs/DEPLOYMENT.md, Several instances behind HAProxy): three servers on one
 * database and Redis, restarted one at a time (SIGTERM, exit, start, ready) while clients keep
 * registering, logging in and asking whoami. No request may fail, and every registration must exist.
 */

const ADMIN = { username: 'admin', email: 'admin@example.org', password: 'rolling admin password' };
const CLIENTS = 4;
const SERVERS = 3;
const READY_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Failure {
  what: string;
  status?: number;
  error?: string;
}

describe('rolling restart of three servers behind HAProxy under load (e2e)', () => {
  // TEST_REDIS_URL, or a private redis-server (test/utils/test-redis.ts).
  let redis: TestRedis | undefined;
  let redisUrl = '';
  const run = randomBytes(3).toString('hex');
  const addresses = Array.from(
    { length: CLIENTS },
    () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`,
  );
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let dataDir: string | undefined;
  let servers: SpawnedServer[] = [];
  let haproxy: ReturnType<typeof spawnHaproxy> | undefined;
  let stopping = false;

  afterAll(async () => {
    stopping = true;
    for (const child of [haproxy, ...servers]) {
      if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    }
    await Promise.all([haproxy?.exited, ...servers.map((server) => server.exited)]);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (redisUrl) {
      const client = new Redis(redisUrl);
      const keys = (await Promise.all(addresses.map((from) => client.keys(`gatehouse:rl:*:${clientKey(from)}:*`)))).flat();
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    }
    await redis?.stop();
  });

  async function waitReady(server: SpawnedServer, port: number): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (server.process.exitCode !== null || server.process.signalCode !== null) {
        throw new Error(`server on port ${port} exited before it was ready:\n${server.output()}`);
      }
      const status = await fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`server on port ${port} not ready within ${READY_TIMEOUT_MS} ms:\n${server.output()}`);
      await sleep(250);
    }
  }

  async function waitUntilProxyHas(statsPort: number, name: string, state: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while ((await haproxyServerStates(statsPort))[name] !== state) {
      if (Date.now() > deadline) throw new Error(`haproxy never saw ${name} ${state}:\n${haproxy?.output().slice(-4000)}`);
      await sleep(200);
    }
  }

  it('answers every request and keeps every registration while the servers restart one at a time', async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
    if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: apt-get install haproxy (scripts/ensure-test-tools.sh)`);
    redis = await testRedis();
    redisUrl = redis.url;
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-rolling-'));
    const ports = await Promise.all(Array.from({ length: SERVERS }, () => freePort()));
    const [proxyPort, statsPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      DATA_DIR: dataDir,
      JWT_SECRET: 'rolling-restart-test-secret-0123456789abcdefghij',
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Shorter on purpose than HAProxy needs to see a server go (fall 2 × inter 1 s): requests
      // then do meet a closed port, so both halves are proven, the drain (without it Fastify
      // answers 503 on kept-alive connections) and the proxy's retry on another server (without
      // `retry-on`, HAProxy answers 503).
      SHUTDOWN_DRAIN_SECONDS: '1',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
      HASH_QUEUE_LIMIT: '200',
      FIRST_USER_SUPERUSER: 'false',
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ADMIN_DIGEST_MINUTES: '0',
      DOCS_ENABLED: 'false',
      CONSOLE_ENABLED: 'false',
    };
    const start = (port: number) => spawnServer({ ...env, PORT: String(port) });
    servers = ports.map(start);
    await Promise.all(servers.map((server, index) => waitReady(server, ports[index])));

    const cfg = path.join(dataDir, 'haproxy.cfg');
    writeFileSync(cfg, localHaproxyConfig(proxyPort, ports, statsPort));
    haproxy = spawnHaproxy(cfg);
    const proxy = `http://127.0.0.1:${proxyPort}/api`;
    await (async () => {
      const deadline = Date.now() + 30_000;
      while (
        (await fetch(`${proxy}/health/ready`).then(
          (r) => r.status,
          () => 0,
        )) !== 200
      ) {
        if (Date.now() > deadline || haproxy!.process.exitCode !== null)
          throw new Error(`haproxy did not come up:\n${haproxy!.output()}`);
        await sleep(200);
      }
    })();
    for (let index = 0; index < SERVERS; index++) await waitUntilProxyHas(statsPort, `app${index + 1}`, 'UP');

    // ---- the load: each client registers, logs in and asks whoami, over and over -----------------
    const failures: Failure[] = [];
    const attempted: string[] = [];
    const registered: string[] = [];
    let answered = 0;
    let loading = true;
    async function call(what: string, route: string, from: string, init: { body?: unknown; token?: string }, expected: number) {
      const headers: Record<string, string> = { 'x-forwarded-for': from };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      try {
        const response = await fetch(`${proxy}${route}`, {
          method: init.body === undefined ? 'GET' : 'POST',
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        answered += 1;
        if (response.status !== expected) failures.push({ what, status: response.status, error: text.slice(0, 300) });
        return response.status === expected ? (text ? (JSON.parse(text) as Record<string, unknown>) : {}) : undefined;
      } catch (error) {
        failures.push({ what, error: String((error as Error).cause ?? error) });
        return undefined;
      }
    }
    async function client(index: number): Promise<void> {
      const from = addresses[index];
      for (let n = 0; loading && !stopping; n++) {
        const username = `rr${run}c${index}n${n}`;
        attempted.push(username);
        const user = await call(
          `register ${username}`,
          '/register',
          from,
          {
            body: { username, email: `${username}@example.org`, password: `password of ${username}` },
          },
          201,
        );
        if (user) registered.push(username);
        const login = await call(
          'login',
          '/login',
          from,
          { body: { username_or_email: ADMIN.username, password: ADMIN.password } },
          200,
        );
        if (login) await call('whoami', '/whoami', from, { token: login.access_token as string }, 200);
      }
    }
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));

    // ---- the restarts, one server at a time ---------------------------------------------------------
    await sleep(2000);
    const answeredDuring: number[] = [];
    for (let index = 0; index < SERVERS; index++) {
      const before = answered;
      const old = servers[index];
      old.process.kill('SIGTERM');
      expect(await old.exited).toEqual({ code: 0, signal: null });
      servers[index] = start(ports[index]);
      await waitReady(servers[index], ports[index]);
      await waitUntilProxyHas(statsPort, `app${index + 1}`, 'UP');
      answeredDuring.push(answered - before);
    }
    await sleep(2000);
    loading = false;
    await Promise.all(clients);

    console.log(
      `[rolling restart] ${answered} requests answered through 3 restarts (${answeredDuring.join(', ')} during each), ` +
        `${registered.length} of ${attempted.length} registrations kept, ${failures.length} failed`,
    );

    // ---- what must hold -------------------------------------------------------------------------------
    expect(failures.slice(0, 20)).toEqual([]);
    // The load really ran through each restart.
    for (const count of answeredDuring) expect(count).toBeGreaterThan(10);
    // Each attempted registration answered 201 (none lost on the way) and is in the database.
    expect([...registered].sort()).toEqual([...attempted].sort());
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const rows = await sql.query<{ username: string }>('SELECT username FROM users WHERE username = ANY($1)', [registered]);
      expect(rows.rows.map((row) => row.username).sort()).toEqual([...registered].sort());
    } finally {
      await sql.end();
    }
  }, 420_000);
});
