// @ts-check
'use strict';
/**
 * `npm run bench` (= `node bench/run.js`): Gatehouse against its own ceilings, in one
 * run. Every target is a ratio between figures measured here, now, on this machine, because the
 * machines are shared and noisy. See bench/README.md for what is measured and how.
 *
 * Environment:
 *   BENCH_DATABASE_URL | TEST_DATABASE_URL | DATABASE_URL  an admin URL of a PostgreSQL server: the
 *       bench creates a fresh database gatehouse_bench_<random> on it and drops it at the end (the
 *       database named in the URL is never written). None set: an embedded PostgreSQL in a
 *       temporary folder, removed at the end.
 *   BENCH_QUICK=1          skip the 1,000,000-user seed and the levers (a few minutes less)
 *   BENCH_LEVERS=0|1       measure the levers (default: on unless quick)
 *   BENCH_DURATION_S       seconds per measured load run (default 6, quick 4)
 *   BENCH_ROUNDS           alternated rounds per compared set (default 3); ratios are medians of the rounds
 *   BENCH_LARGE_USERS      the large population (default 1000000)
 *   BENCH_RESULTS          where to write the report (default bench/RESULTS.md, quick: bench/RESULTS-quick.md)
 *   HASH_CONCURRENCY, HASH_QUEUE_LIMIT, DATABASE_POOL_SIZE, MALLOC_*…  passed to the server (unset:
 *       the app's own defaults, read back with its loadConfig); UV_THREADPOOL_SIZE (4) is set for the
 *       server and the raw argon2 measurement alike.
 *   BENCH_SKIP_BUILD=1     run a copy of the existing dist/ instead of building (iterating on the bench)
 *   BENCH_ADAPTER_DEPS     a folder with @nestjs/{core,common,platform-express,platform-fastify}@12
 *       installed: the adapter lever is measured in this run too (see bench/adapter-hello.js).
 *
 * The phases live in bench/lib/: setup.js (build, settings, database), phases.js (the measured
 * runs on the production server), levers.js and server-levers.js, report.js (RESULTS.md).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ENV, LEVERS, QUICK, RESULTS_PATH } = require('./lib/settings');
const { prepare } = require('./lib/setup');
const phases = require('./lib/phases');
const { lever, sqlLevers, hashingLevers } = require('./lib/levers');
const { serverLevers } = require('./lib/server-levers');
const { report, targetTable, gitDescribe } = require('./lib/report');
const { log } = require('./lib/util');

/** @typedef {import('./lib/types').Results} Results */

/**
 * Every phase in order. Fields of R are filled in as the phases run.
 * @param {Results} R
 * @param {(() => unknown)[]} cleanups
 */
async function run(R, cleanups) {
  const setup = await prepare(R, cleanups);
  const started = await phases.startMain(R, setup, cleanups);
  const main = await phases.requestPath(R, setup, started);
  await phases.hashing(R, setup, main);
  await phases.loginFlood(R, main);
  await phases.adminRoutes(R, setup, main);
  await phases.finalMemory(R, main);

  // ---- levers measured on the same data, then on fresh short-lived servers
  if (LEVERS && !QUICK) await lever(R, 'SQL levers', () => sqlLevers(R, main.db, main.server.base, setup.dbUrl));
  main.rss.stop();
  await main.bare.stop();
  await main.server.stop();
  if (LEVERS) {
    await lever(R, 'hashing levers', () => hashingLevers(R, setup.hash));
    await serverLevers(R, setup.adminUrl, setup.workDir, setup.hash, main.baselineUrl.replace(/^http:\/\/[^/]+/, ''));
  }
  if (ENV.BENCH_ADAPTER_DEPS) {
    log('adapter lever (Express vs Fastify, bare hello)');
    execFileSync(process.execPath, [path.join(__dirname, 'adapter-hello.js'), ENV.BENCH_ADAPTER_DEPS], { stdio: 'inherit' });
  }
}

/** @returns {Promise<Results>} */
async function main() {
  /** @type {(() => unknown)[]} */
  const cleanups = [];
  /** @type {Promise<void> | null} */
  let cleaning = null;
  // One cleanup, whoever asks first (a signal, or the run ending or failing); everyone awaits it.
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (e) {
          log(`cleanup: ${e instanceof Error ? e.message : e}`);
        }
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup().then(() => process.exit(130));
    });
  }

  // filled in by the phases before the report reads it
  const R = /** @type {Results} */ (
    /** @type {unknown} */ ({ notes: [], levers: [], phases: {}, loadSamples: [], memPhases: [] })
  );
  const loadSampler = setInterval(() => R.loadSamples.push(os.loadavg()[0]), 5000);
  loadSampler.unref();
  try {
    await run(R, cleanups);
  } finally {
    clearInterval(loadSampler);
    await cleanup();
  }
  return R;
}

(async () => {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  let R;
  try {
    R = await main();
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  }
  R.loadAtStart = loadAtStart;
  R.git = gitDescribe();
  const { md, rows } = report(R, startedAt, (Date.now() - startedAt.getTime()) / 1000);
  fs.writeFileSync(RESULTS_PATH, md);
  process.stdout.write(`\n${targetTable(rows)}\n\n`);
  log(`report written to ${path.relative(process.cwd(), RESULTS_PATH)}`);
  process.exit(0);
})();
