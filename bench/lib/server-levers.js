// @ts-check
'use strict';
/**
 * Levers measured on short-lived servers on small scratch databases: the database pool size,
 * server memory under other malloc, heap and hashing settings, and the login flood against
 * servers with the hashing queue unbounded or another hashing concurrency.
 */
const { CONNECTIONS, D, PROBE, settings } = require('./settings');
const { benchDatabaseName, connect, createDatabase, dropDatabase, activeUsers, seedUsers } = require('./database');
const { startServer, serverEnv, loginMany, loginBody, registerAdmin } = require('./server');
const { load, flood, memoryOf, successRate } = require('./measure');
const { lever } = require('./levers');
const { log, sleep, round, mean } = require('./util');

/** @typedef {import('./types').Results} Results */
/** @typedef {import('./types').ServerHandle} ServerHandle */
/** @typedef {import('./types').EnvOverrides} EnvOverrides */

/**
 * @param {Results} R
 * @param {string} adminUrl
 * @param {string} workDir
 * @param {string} hash
 * @param {string} baselinePath the trivial route, e.g. /api/health/live
 */
async function serverLevers(R, adminUrl, workDir, hash, baselinePath) {
  /**
   * A fresh server on a fresh database with the first user and 2k seeded users.
   * @template T
   * @param {string} name
   * @param {EnvOverrides} extraEnv
   * @param {(server: ServerHandle) => Promise<T>} fn
   * @returns {Promise<T>}
   */
  const scratch = async (name, extraEnv, fn) => {
    const dbName = benchDatabaseName();
    const url = await createDatabase(adminUrl, dbName);
    /** @type {ServerHandle | undefined} */
    let server;
    try {
      server = await startServer({ dbUrl: url, workDir, name, extraEnv });
      await registerAdmin(server.base);
      const db = await connect(url);
      try {
        await seedUsers(db, 1, 2000, hash);
      } finally {
        await db.end();
      }
      return await fn(server);
    } finally {
      await server?.stop();
      await dropDatabase(adminUrl, dbName);
    }
  };

  await lever(R, 'database pool size', () => poolSizeLever(R, adminUrl, workDir, hash, baselinePath));
  await lever(R, 'server memory', () => memoryLever(R, scratch));
  await floodLevers(R, scratch);
}

/**
 * Pool size: three servers on one scratch database, loaded in turn within each round so that
 * they share the same moments of noise (and the baseline runs on the pool-10 server each round).
 * @param {Results} R
 * @param {string} adminUrl
 * @param {string} workDir
 * @param {string} hash
 * @param {string} baselinePath
 */
async function poolSizeLever(R, adminUrl, workDir, hash, baselinePath) {
  const sizes = [2, 10, 30];
  const dbName = benchDatabaseName();
  const url = await createDatabase(adminUrl, dbName);
  /** @type {ServerHandle[]} */
  const servers = [];
  try {
    for (const size of sizes) {
      log(`levers: starting a server with DATABASE_POOL_SIZE=${size}`);
      servers.push(
        await startServer({ dbUrl: url, workDir, name: `pool-${size}`, extraEnv: { DATABASE_POOL_SIZE: String(size) } }),
      );
    }
    await registerAdmin(servers[0].base);
    const db = await connect(url);
    try {
      await seedUsers(db, 1, 2000, hash);
    } finally {
      await db.end();
    }
    const tokens = await loginMany(servers[0].base, activeUsers(0, CONNECTIONS));
    const short = Math.min(D, 4);
    const baseUrl = `http://127.0.0.1:${servers[1].port}${baselinePath}`;
    for (const server of servers) await load({ url: `${server.base}/whoami`, tokens, connections: CONNECTIONS, duration: 2 });
    /** @type {import('./types').LoadRun[][]} */
    const runs = sizes.map(() => []);
    const baselines = [];
    for (let r = 0; r < 2; r++) {
      log(`levers: /whoami on pool sizes ${sizes.join(', ')}, round ${r + 1}/2`);
      baselines.push(await load({ url: baseUrl, tokens, connections: CONNECTIONS, duration: short }));
      const order = r % 2 ? [...servers.keys()].reverse() : [...servers.keys()];
      for (const i of order)
        runs[i].push(await load({ url: `${servers[i].base}/whoami`, tokens, connections: CONNECTIONS, duration: short }));
    }
    const baseRps = mean(baselines.map((b) => b.rps));
    R.levers.push({
      lever: `database pool size: /whoami, ${CONNECTIONS} connections, three servers on one scratch database loaded in turn (2 rounds of ${short} s; baseline on the pool-10 server)`,
      value: sizes
        .map((size, i) => {
          const rps = mean(runs[i].map((x) => x.rps));
          return `pool ${size}: ${round(rps, 0)} req/s (${round((100 * rps) / baseRps, 0)} % of baseline), p99 ${round(mean(runs[i].map((x) => x.latency.p99)), 0)} ms`;
        })
        .join('; '),
    });
  } finally {
    for (const server of servers) await server.stop();
    await dropDatabase(adminUrl, dbName);
  }
}

/**
 * Memory: each argon2id verify allocates m = 19 MiB natively. glibc serves such blocks from
 * per-thread arenas once its dynamic mmap threshold has grown, and keeps them after the hash.
 * @param {Results} R
 * @param {<T>(name: string, extraEnv: EnvOverrides, fn: (server: ServerHandle) => Promise<T>) => Promise<T>} scratch
 */
async function memoryLever(R, scratch) {
  const memory = [];
  const mmap = { MALLOC_MMAP_THRESHOLD_: '131072' };
  const mmapSet = serverEnv().MALLOC_MMAP_THRESHOLD_;
  const other = settings.hashConcurrency === 1 ? 4 : 1;
  const nodeOptions = serverEnv().NODE_OPTIONS;
  const smallHeap = [nodeOptions, '--max-old-space-size=128'].filter(Boolean).join(' ');
  /** @type {[string, EnvOverrides][]} */
  const variants = [
    [
      `this run's settings (HASH_CONCURRENCY=${settings.hashConcurrency}${mmapSet ? `, MALLOC_MMAP_THRESHOLD_=${mmapSet}` : ''})`,
      {},
    ],
    mmapSet ? ['without MALLOC_MMAP_THRESHOLD_', { MALLOC_MMAP_THRESHOLD_: null }] : ['MALLOC_MMAP_THRESHOLD_=131072', mmap],
    ['MALLOC_ARENA_MAX=1 instead', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: '1' }],
    // the image's NODE_OPTIONS (a small young generation) against V8's defaults
    .../** @type {[string, EnvOverrides][]} */ (
      nodeOptions ? [[`without NODE_OPTIONS=${nodeOptions}`, { NODE_OPTIONS: null }]] : []
    ),
    // V8 lets the old generation grow far before a full collection: under 50 connections the heap
    // fills with garbage (a forced GC after such a run brings heapUsed back to ~40 MB)
    ['NODE_OPTIONS=--max-old-space-size=128', { NODE_OPTIONS: smallHeap }],
    [
      'MALLOC_ARENA_MAX=1 instead + NODE_OPTIONS=--max-old-space-size=128',
      { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: '1', NODE_OPTIONS: smallHeap },
    ],
    [
      `HASH_CONCURRENCY=${other}${mmapSet ? '' : ' + MALLOC_MMAP_THRESHOLD_=131072'}`,
      { HASH_CONCURRENCY: String(other), ...(mmapSet ? {} : mmap) },
    ],
  ];
  for (const [label, extra] of variants) {
    log(`levers: server memory with ${label}`);
    memory.push(
      await scratch('memory', extra, async (server) => {
        await sleep(1000);
        const rest = memoryOf(server.pid).rssMb;
        const short = Math.min(D, 4);
        const logins = await load({
          url: `${server.base}/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          bodies: activeUsers(100, 300).map(loginBody),
          connections: 8,
          duration: short,
        });
        const tokens = await loginMany(server.base, activeUsers(0, CONNECTIONS));
        const whoami = await load({ url: `${server.base}/whoami`, tokens, connections: CONNECTIONS, duration: short });
        await sleep(1000);
        const after = memoryOf(server.pid);
        return (
          `${label}: rest ${round(rest, 0)} MB, peak ${round(after.hwmMb, 0)} MB, after the load ${round(after.rssMb, 0)} MB ` +
          `(${round(successRate(logins))} logins/s, ${round(whoami.rps, 0)} /whoami/s)`
        );
      }),
    );
  }
  R.levers.push({
    lever: `server RSS: ${Math.min(D, 4)} s of /login (8 connections) then /whoami (50), fresh server each`,
    value: memory.join('<br>'),
  });
}

/**
 * @typedef {object} FloodOutcome
 * @property {import('./types').LoadRun} quiet
 * @property {import('./types').LoadRun} loud
 * @property {import('./types').FloodRun} flood
 */

/** @param {FloodOutcome} x */
function describeFlood(x) {
  const st = x.flood.statuses;
  const refused = ['503', '429'].filter((c) => st[c]);
  const loud = x.loud.requests ? `${x.loud.latency.p99} ms` : `no answer (${x.loud.timeouts} timeouts)`;
  const ok = st['200'];
  return (
    `/whoami probe p99 ${x.quiet.latency.p99} → ${loud}; ${ok?.count ?? 0} × 200 (p50 ${round(ok?.p50, 0)} ms, p99 ${round(ok?.p99, 0)} ms)` +
    `${refused.map((c) => `, ${st[c].count} × ${c} (p99 ${round(st[c].p99, 0)} ms)`).join('')}; ` +
    `${x.flood.maxInFlight} in flight at most, ${x.flood.timeouts} timeouts, drained ${round(x.flood.drainSeconds)} s after the flood`
  );
}

/**
 * The same flood against servers configured otherwise: the hashing queue unbounded, and another
 * hashing concurrency.
 * @param {Results} R
 * @param {<T>(name: string, extraEnv: EnvOverrides, fn: (server: ServerHandle) => Promise<T>) => Promise<T>} scratch
 */
async function floodLevers(R, scratch) {
  const main = R.flood;
  const otherConcurrency = settings.hashConcurrency === 1 ? 4 : 1;
  /** @type {[string, EnvOverrides][]} */
  const variants = [
    ['HASH_QUEUE_LIMIT=100000 (unbounded)', { HASH_QUEUE_LIMIT: '100000' }],
    [
      `HASH_CONCURRENCY=${otherConcurrency}, HASH_QUEUE_LIMIT=64`,
      { HASH_CONCURRENCY: String(otherConcurrency), HASH_QUEUE_LIMIT: '64' },
    ],
  ];
  const rows = [
    `this run's server (HASH_CONCURRENCY=${settings.hashConcurrency}, HASH_QUEUE_LIMIT=${settings.hashQueueLimit}): ${describeFlood({ ...main, flood: main.result })}`,
  ];
  for (const [label, extra] of variants) {
    await lever(R, `login flood with ${label}`, async () => {
      log(`levers: the login flood against a server with ${label}`);
      const x = await scratch('flood', extra, async (server) => {
        const probeTokens = await loginMany(server.base, activeUsers(0, PROBE.connections));
        const url = `${server.base}/whoami`;
        const probe = () =>
          load({ url, tokens: probeTokens, connections: PROBE.connections, overallRate: PROBE.overallRate, duration: D });
        const quiet = await probe();
        const [floodRun, loud] = await Promise.all([
          flood({
            url: `${server.base}/login`,
            rate: main.rate,
            duration: D + 2,
            bodies: activeUsers(100, 500).map(loginBody),
            timeoutMs: 15_000,
          }),
          sleep(1000).then(probe),
        ]);
        return { quiet, loud, flood: floodRun };
      });
      rows.push(`${label}: ${describeFlood(x)}`);
    });
  }
  R.levers.push({
    lever: `login flood at ${main.rate} req/s (fresh server, 2k users, probe ${PROBE.overallRate} req/s)`,
    value: rows.join('<br>'),
  });
}

module.exports = { serverLevers };
