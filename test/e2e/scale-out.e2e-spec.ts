import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { clientKey } from '../../src/common/http/client-address';
import { createTestDatabase } from '../setup/test-database';
import { eventually } from '../utils/eventually';
import { SmtpSink, startSmtpSink } from '../utils/smtp-sink';
import { testRedis, type TestRedis } from '../utils/test-redis';
import { freePort, MAIN_JS, SpawnedServer, spawnServer } from '../utils/spawn-server';

/**
 * Two real server processes on one freshly created, empty database and one Redis
 * (docs/DEPLOYMENT.md, Several instances behind HAProxy): started at the same moment, rate
 * limits counted together, and a session ended on one instance refused by the other, which had it
 * cached (SESSION_CACHE_SECONDS at its default of 60), within 100 ms.
 */

const ADMIN = { username: 'admin', email: 'admin@example.org', password: 'scale-out admin password' };
const LOGIN_LIMIT = 4;

/** A client address of its own (IPv6, counted by its /64), so no other test shares its rate-limit budget. */
const newAddress = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('several instances on one PostgreSQL and Redis (e2e)', () => {
  // TEST_REDIS_URL, or a private redis-server (test/utils/test-redis.ts).
  let redis: TestRedis | undefined;
  let redisUrl = '';
  const addresses: string[] = [];
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let dataDir: string | undefined;
  let sql: Client | undefined;
  let smtp: SmtpSink | undefined;
  let servers: SpawnedServer[] = [];
  let bases: [string, string];

  async function call(
    base: string,
    route: string,
    options: { method?: string; token?: string; body?: unknown; from: string },
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'x-forwarded-for': options.from };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${route}`, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function login(base: string, username: string, password: string, from: string): Promise<string> {
    const answer = await call(base, '/login', { body: { username_or_email: username, password }, from });
    expect(answer.status).toBe(200);
    return answer.body.access_token as string;
  }

  /** An approved, active user created by the admin on instance A, and a token for it. */
  async function userWithToken(name: string): Promise<{ id: string; token: string; from: string; password: string }> {
    const from = newAddress();
    addresses.push(from);
    const password = `${name} password 123`;
    const adminToken = await login(bases[0], ADMIN.username, ADMIN.password, from);
    const created = await call(bases[0], '/admin/users', {
      token: adminToken,
      body: { username: name, email: `${name}@example.org`, password },
      from,
    });
    expect(created.status).toBe(201);
    const id = (created.body.user as { id: string }).id;
    return { id, token: await login(bases[0], name, password, from), from, password };
  }

  /** B has the session cached and answers 200; after `end` on A, 100 ms later, B answers 401. */
  async function expectEndedOnBoth(token: string, from: string, end: () => Promise<Answer>, expected: number): Promise<void> {
    expect((await call(bases[1], '/whoami', { token, from })).status).toBe(200);
    expect((await call(bases[1], '/whoami', { token, from })).status).toBe(200);
    expect((await end()).status).toBe(expected);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await call(bases[1], '/whoami', { token, from })).status).toBe(401);
  }

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
    redis = await testRedis();
    redisUrl = redis.url;
    database = await createTestDatabase({ empty: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-scale-out-'));
    smtp = await startSmtpSink();
    const ports = [await freePort(), await freePort()];
    bases = [`http://127.0.0.1:${ports[0]}/api`, `http://127.0.0.1:${ports[1]}/api`];
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      // One shared DATA_DIR, as instances on one host share a volume.
      DATA_DIR: dataDir,
      JWT_SECRET: 'scale-out-test-secret-0123456789abcdefghijklmnop',
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_LOGIN_PER_MINUTE: String(LOGIN_LIMIT),
      FIRST_USER_SUPERUSER: 'false',
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      DOCS_ENABLED: 'false',
      SMTP_URL: smtp.url,
      ADMIN_DIGEST_MINUTES: '0',
    };
    // Both at the same moment, on the empty database.
    servers = ports.map((port) => spawnServer({ ...env, PORT: String(port) }));
    await Promise.all(servers.map((server) => server.waitFor(/Gatehouse is listening/, 120_000)));
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 150_000);

  afterAll(async () => {
    await Promise.all(
      servers.map(async (server) => {
        if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL');
        await server.exited;
      }),
    );
    await sql?.end();
    await smtp?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (redisUrl && addresses.length > 0) {
      const client = new Redis(redisUrl);
      const keys = (await Promise.all(addresses.map((from) => client.keys(`gatehouse:rl:*:${clientKey(from)}:*`)))).flat();
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    }
    await redis?.stop();
  });

  it('both come up on the empty database: the migrations applied once, one bootstrap superuser, its creation audited once', async () => {
    for (const base of bases) expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const logs = servers.map((server) => server.output()).join('\n');
    expect(logs.match(/applied \d+ migration\(s\)/g)).toHaveLength(1);
    const twice = await sql!.query('SELECT name FROM migrations GROUP BY name HAVING count(*) > 1');
    expect(twice.rows).toEqual([]);
    const superusers = await sql!.query('SELECT username FROM users WHERE is_superuser');
    expect(superusers.rows).toEqual([{ username: ADMIN.username }]);
    const audited = await sql!.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE event_type = 'admin_user_creation' AND details->>'source' = 'bootstrap'",
    );
    expect(audited.rows[0]).toEqual({ n: 1 });
    expect(logs.match(/bootstrap superuser 'admin' created/g)).toHaveLength(1);
  });

  it('counts login attempts from both instances against one budget (Redis)', async () => {
    const from = newAddress();
    addresses.push(from);
    const attempt = (index: number) =>
      call(bases[index % 2], '/login', { body: { username_or_email: 'nobody', password: 'wrong password' }, from });
    // Alternating: each instance alone has seen only half of the attempts.
    for (let index = 0; index < LOGIN_LIMIT; index++) expect((await attempt(index)).status).toBe(401);
    const limited = await attempt(LOGIN_LIMIT);
    expect(limited.status).toBe(429);
    expect((await attempt(LOGIN_LIMIT + 1)).status).toBe(429);
  });

  it('a logout on A is refused on B within 100 ms', async () => {
    const user = await userWithToken('logout-user');
    await expectEndedOnBoth(
      user.token,
      user.from,
      () => call(bases[0], '/jwt/logout', { method: 'POST', token: user.token, from: user.from }),
      204,
    );
  });

  it('a deactivation on A is refused on B within 100 ms', async () => {
    const user = await userWithToken('deactivated-user');
    const adminToken = await login(bases[0], ADMIN.username, ADMIN.password, user.from);
    await expectEndedOnBoth(
      user.token,
      user.from,
      () =>
        call(bases[0], `/admin/users/${user.id}`, {
          method: 'PATCH',
          token: adminToken,
          body: { is_active: false },
          from: user.from,
        }),
      200,
    );
  });

  it("a password change on A ends the user's other session on B within 100 ms", async () => {
    const user = await userWithToken('password-user');
    const other = await login(bases[0], 'password-user', user.password, user.from);
    await expectEndedOnBoth(
      other,
      user.from,
      () =>
        call(bases[0], '/users/me/password', {
          token: user.token,
          body: { current_password: user.password, new_password: 'a brand new password 456' },
          from: user.from,
        }),
      204,
    );
  });

  it('delivers every mail queued on either instance exactly once (both workers take jobs with SKIP LOCKED)', async () => {
    for (let index = 0; index < 6; index++) {
      const from = newAddress();
      addresses.push(from);
      const registered = await call(bases[index % 2], '/register', {
        body: { username: `mailed-${index}`, email: `mailed-${index}@example.org`, password: `mailed password ${index}` },
        from,
      });
      expect(registered.status).toBe(201);
    }
    const queued = await eventually(async () => {
      const rows = await sql!.query<{ message_id: string; status: string }>('SELECT message_id, status FROM mail_outbox');
      expect(rows.rows.length).toBeGreaterThanOrEqual(6);
      expect(rows.rows.filter((row) => row.status !== 'sent')).toEqual([]);
      return rows.rows.map((row) => row.message_id);
    }, 30_000);
    // A mail sent by both workers would arrive twice.
    const arrived = (await smtp!.waitFor(queued.length, 30_000)).map((mail) => mail.parsed.messageId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp!.received.map((mail) => mail.parsed.messageId).sort()).toEqual([...queued].sort());
    expect(new Set(arrived).size).toBe(arrived.length);
  });
});
