// @ts-check
'use strict';
/**
 * Before anything is measured: the private build, the server's effective settings (read with the
 * app's own loadConfig), a fresh database, and one real argon2id hash shared by the seeded users.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const argon2 = require('argon2');
const { ENV, ROOT, PASSWORD, UV_THREADPOOL_SIZE, settings } = require('./settings');
const { buildPrivate, imageRuntimeEnv, serverEnv } = require('./server');
const { loadApp } = require('./app');
const { benchDatabaseName, createDatabase, dropDatabase, redact, sql } = require('./database');
const { log, firstLine } = require('./util');

/**
 * @typedef {object} Setup
 * @property {string} workDir a temporary folder, removed at the end
 * @property {string} adminUrl
 * @property {string} dbUrl the fresh database
 * @property {import('./types').Argon2Parameters} params the app's argon2 parameters
 * @property {string} hash one real hash of the bench's password
 */

/**
 * @param {import('./types').Results} R
 * @param {(() => unknown)[]} cleanups
 * @returns {Promise<Setup>}
 */
async function prepare(R, cleanups) {
  const notes = R.notes;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  fs.chmodSync(workDir, 0o755);
  cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
  let dist;
  if (ENV.BENCH_SKIP_BUILD === '1') {
    // iterate on the bench itself: a copy of the current dist/, no build
    dist = path.join(workDir, 'dist');
    fs.cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
  } else {
    log('building the app (nest build, into a private folder)');
    dist = buildPrivate(workDir);
  }
  settings.serverMain = path.join(dist, 'main.js');
  const app = loadApp(dist);
  settings.imageEnv = imageRuntimeEnv();
  try {
    const effective = app.loadConfig(serverEnv({ DATABASE_URL: 'postgres://bench@127.0.0.1:5432/bench', DATA_DIR: workDir }));
    settings.hashConcurrency = effective.hashConcurrency;
    settings.hashQueueLimit = effective.hashQueueLimit;
    settings.poolSize = effective.databasePoolSize;
    if (effective.sessionTouchIntervalMs) settings.touchIntervalS = effective.sessionTouchIntervalMs / 1000;
  } catch (e) {
    notes.push(
      `the server's settings could not be read with its loadConfig (${firstLine(e)}): assumed ${settings.hashConcurrency} / ${settings.hashQueueLimit} / ${settings.poolSize}`,
    );
  }
  // enough connections that a request always waits for each hashing slot, few enough never to fill
  // the queue nor the share of it one client address may hold (the app's HashLimiter: at most
  // max(2, ⌈(concurrency + queue) / 4⌉) jobs per address; every bench connection comes from 127.0.0.1)
  const perAddress = Math.max(2, Math.ceil((settings.hashConcurrency + settings.hashQueueLimit) / 4));
  settings.loginConnections = Math.max(
    2,
    Math.min(settings.hashConcurrency + settings.hashQueueLimit, 4 * settings.hashConcurrency, perAddress),
  );
  const imageEnv = Object.entries(settings.imageEnv).map(([k, v]) => `${k}=${v}`);
  log(
    `server settings: HASH_CONCURRENCY=${settings.hashConcurrency}, HASH_QUEUE_LIMIT=${settings.hashQueueLimit}, ` +
      `DATABASE_POOL_SIZE=${settings.poolSize}, touch interval ${settings.touchIntervalS} s` +
      `${imageEnv.length ? `, from the Dockerfile: ${imageEnv.join(' ')}` : ''}`,
  );
  if (!app.argon2Parameters) notes.push(`argon2 parameters read from the defaults, not from the build (${app.hasherSource})`);

  // ---- database server
  const urlVar = ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL', 'DATABASE_URL'].find((name) => ENV[name]);
  let adminUrl;
  if (urlVar) {
    adminUrl = /** @type {string} */ (ENV[urlVar]);
    R.dbMode = `external PostgreSQL from ${urlVar} (${redact(adminUrl)}), fresh database per run`;
  } else {
    const pgDir = path.join(workDir, 'embedded');
    fs.mkdirSync(pgDir, { mode: 0o755 });
    fs.chmodSync(pgDir, 0o755);
    log('no database URL set: starting an embedded PostgreSQL');
    const handle = await app.startEmbeddedPostgres(
      pgDir,
      { log: () => undefined, warn: (m) => log(m) },
      { database: 'postgres' },
    );
    cleanups.push(() => handle.stop());
    adminUrl = handle.url;
    R.dbMode = 'embedded PostgreSQL (the default when no URL is set), in a temporary folder';
  }
  const dbName = benchDatabaseName();
  const dbUrl = await createDatabase(adminUrl, dbName);
  cleanups.push(() => dropDatabase(adminUrl, dbName));
  R.pgVersion = (await sql(dbUrl, 'SHOW server_version')).rows[0].server_version;
  log(`database ${dbName} on PostgreSQL ${R.pgVersion}`);

  // ---- the configured argon2 parameters, and one real hash shared by every seeded user
  const params = app.argon2Parameters || { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
  R.argon2 = `argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}`;
  R.hasherSource = app.hasherSource;
  const hash = await argon2.hash(PASSWORD, { ...params, type: /** @type {0 | 1 | 2} */ (params.type) });
  log(`argon2 parameters from ${app.hasherSource}; UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`);
  return { workDir, adminUrl, dbUrl, params, hash };
}

module.exports = { prepare };
