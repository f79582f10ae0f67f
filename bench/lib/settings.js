// @ts-check
'use strict';
/**
 * The bench's options (from the environment, see bench/README.md), its constants, and the
 * server's effective settings (filled in once the app is built, read with its own loadConfig).
 */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = process.env;
const QUICK = ENV.BENCH_QUICK === '1';
const LEVERS = ENV.BENCH_LEVERS !== undefined ? ENV.BENCH_LEVERS !== '0' : !QUICK;
/** Seconds per measured load run. */
const D = Number(ENV.BENCH_DURATION_S || (QUICK ? 4 : 6));
const ROUNDS = Number(ENV.BENCH_ROUNDS || 3);
const UV_THREADPOOL_SIZE = Number(ENV.UV_THREADPOOL_SIZE || 4); // libuv's default, set for both processes
const IDLE_SECONDS = Number(ENV.BENCH_SESSION_IDLE_SECONDS || 40);
const SMALL = 10_000;
const LARGE = Number(ENV.BENCH_LARGE_USERS || 1_000_000);

/** @param {number} n */
const count = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const LARGE_LABEL = count(LARGE);
const CONNECTIONS = 50;
const PROBE = { connections: 10, overallRate: 200 }; // the latency probe: a fixed, modest rate
const PASSWORD = 'bench-Password-2024!';
const SEARCH = 'user00042'; // user0004200..user0004299: the same 100 matches at 10k and at 1M
// Every seeded username starts with "user0": the trigrams of SEARCH are each shared by most rows, a
// hard case for the trigram indexes. A selective search (one match) is measured for information.
const SEARCH_SELECTIVE = '0004242';
/** @type {Record<string, string>} */
const ADMIN_ROUTES = {
  list: `/admin/users?q=${SEARCH}&limit=100`,
  stats: '/admin/stats',
  selective: `/admin/users?q=${SEARCH_SELECTIVE}&limit=100`,
};
const RESULTS_PATH = ENV.BENCH_RESULTS
  ? path.resolve(ENV.BENCH_RESULTS)
  : path.join(ROOT, 'bench', QUICK ? 'RESULTS-quick.md' : 'RESULTS.md');

/**
 * The server's effective settings: these defaults until `bench/lib/setup.js` reads the app's own
 * (its defaults may depend on the machine).
 * @type {import('./types').Settings}
 */
const settings = {
  hashConcurrency: 4,
  hashQueueLimit: 64,
  poolSize: 10,
  touchIntervalS: Math.min(60, IDLE_SECONDS / 20),
  loginConnections: 8,
  imageEnv: {},
  serverMain: path.join(ROOT, 'dist', 'main.js'),
};

module.exports = {
  ROOT,
  ENV,
  QUICK,
  LEVERS,
  D,
  ROUNDS,
  UV_THREADPOOL_SIZE,
  IDLE_SECONDS,
  SMALL,
  LARGE,
  LARGE_LABEL,
  CONNECTIONS,
  PROBE,
  PASSWORD,
  SEARCH,
  SEARCH_SELECTIVE,
  ADMIN_ROUTES,
  RESULTS_PATH,
  count,
  settings,
};
