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
 *   BENCH_ROUNDS           alternated rounds per compared pair (default 3); ratios are medians of the pairs
 *   BENCH_LARGE_USERS      the large population (default 1000000)
 *   BENCH_RESULTS          where to write the report (default bench/RESULTS.md, quick: bench/RESULTS-quick.md)
 *   HASH_CONCURRENCY, HASH_QUEUE_LIMIT, DATABASE_POOL_SIZE, MALLOC_*…  passed to the server (unset:
 *       the app's own defaults, read back with its loadConfig); UV_THREADPOOL_SIZE (4) is set for the
 *       server and the raw argon2 measurement alike.
 *   BENCH_SKIP_BUILD=1     run a copy of the existing dist/ instead of building (iterating on the bench)
 *   BENCH_ADAPTER_DEPS     a folder with @nestjs/{core,common,platform-express,platform-fastify}@12
 *       installed: the adapter lever is measured in this run too (see bench/adapter-hello.js).
 */
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const argon2 = require('argon2');

const ROOT = path.resolve(__dirname, '..');
const ENV = process.env;
const QUICK = ENV.BENCH_QUICK === '1';
const LEVERS = ENV.BENCH_LEVERS !== undefined ? ENV.BENCH_LEVERS !== '0' : !QUICK;
const D = Number(ENV.BENCH_DURATION_S || (QUICK ? 4 : 6));
const ROUNDS = Number(ENV.BENCH_ROUNDS || 3);
const UV_THREADPOOL_SIZE = Number(ENV.UV_THREADPOOL_SIZE || 4); // libuv's default, set for both processes
const IDLE_SECONDS = Number(ENV.BENCH_SESSION_IDLE_SECONDS || 40);
// The server's effective settings, read with the app's own loadConfig() from the environment the
// server gets (its defaults may depend on the machine): set once the app is built.
let HASH_CONCURRENCY = 4;
let HASH_QUEUE_LIMIT = 64;
let POOL_SIZE = 10;
let TOUCH_INTERVAL_S = Math.min(60, IDLE_SECONDS / 20);
let LOGIN_CONNECTIONS = 8;
/** Runtime variables of the production image (Dockerfile ENV) that change how the process runs. */
let IMAGE_ENV = {};
const SMALL = 10_000;
const LARGE = Number(ENV.BENCH_LARGE_USERS || 1_000_000);
const count = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const LARGE_LABEL = count(LARGE);
const CONNECTIONS = 50;
const PROBE = { connections: 10, overallRate: 200 }; // the latency probe: a fixed, modest rate
const PASSWORD = 'bench-Password-2024!';
const SEARCH = 'user00042'; // user0004200..user0004299: the same 100 matches at 10k and at 1M
// Every seeded username starts with "user0": the trigrams of SEARCH are each shared by most rows, a
// hard case for the trigram indexes. A selective search (one match) is measured for information.
const SEARCH_SELECTIVE = '0004242';
const ADMIN_ROUTES = {
  list: `/admin/users?q=${SEARCH}&limit=100`,
  stats: '/admin/stats',
  selective: `/admin/users?q=${SEARCH_SELECTIVE}&limit=100`,
};
const RESULTS_PATH = ENV.BENCH_RESULTS
  ? path.resolve(ENV.BENCH_RESULTS)
  : path.join(__dirname, QUICK ? 'RESULTS-quick.md' : 'RESULTS.md');

const t0 = Date.now();
function log(message) {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(digits)));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- child processes

/** Runs bench/lib/<script> with a JSON argument in its own process; resolves its JSON answer. */
function runChild(script, options, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...ENV, ...extraEnv }; // a null in extraEnv removes the variable
    for (const [key, value] of Object.entries(env)) if (value === null || value === undefined) delete env[key];
    const child = spawn(process.execPath, [path.join(__dirname, 'lib', script), JSON.stringify(options)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err.trim().slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`${script}: unreadable output: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

const load = (options) => runChild('load.js', options);
/**
 * Raw verifies/s in a child process with the server's thread-pool size and malloc settings (the
 * image's MALLOC_* variables change what a hash costs): the same ceiling the server hashes under.
 */
const rawArgon2 = (concurrency, duration, hash, threadpool = UV_THREADPOOL_SIZE, envOverrides = {}) => {
  const env = { ...IMAGE_ENV, ...ENV, UV_THREADPOOL_SIZE: String(threadpool), ...envOverrides };
  return runChild('argon2-raw.js', { concurrency, duration, password: PASSWORD, hash }, env);
};

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status) || [])[1] || 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: null, hwmMb: null };
  }
}

// ---------------------------------------------------------------- database

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function sql(url, text, params = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

async function createDatabase(adminUrl, name) {
  await sql(adminUrl, `CREATE DATABASE "${name}"`);
  return withDatabase(adminUrl, name);
}

async function dropDatabase(adminUrl, name) {
  await sql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * Users from..to in ONE `INSERT … SELECT generate_series` (never through the API). usernames
 * user0000001…; 1 in 20 pending, 1 in 20 rejected, 1 in 20 approved but deactivated, 1 in 10,000
 * superuser; created_at one second apart in the past; all share one real argon2id hash.
 */
async function seedUsers(db, from, to, hash) {
  const started = Date.now();
  await db.query(
    `INSERT INTO users (email, username, hashed_password, is_active, is_superuser, is_verified, is_approved,
                        approval_status, approval_note, institution, approved_at, created_at, updated_at)
     SELECT 'user' || lpad(n::text, 7, '0') || '@bench.example',
            'user' || lpad(n::text, 7, '0'),
            $1,
            n % 20 NOT IN (1, 2, 3),
            n % 10000 = 0,
            true,
            n % 20 NOT IN (1, 2),
            CASE n % 20 WHEN 1 THEN 'pending' WHEN 2 THEN 'rejected' ELSE 'approved' END,
            CASE WHEN n % 20 = 1 THEN 'seeded by the benchmark' END,
            'Institute ' || (n % 997),
            CASE WHEN n % 20 NOT IN (1, 2) THEN $2::timestamptz + make_interval(secs => n) END,
            $2::timestamptz + make_interval(secs => n),
            $2::timestamptz + make_interval(secs => n)
       FROM generate_series($3::int, $4::int) AS n`,
    [hash, new Date(Date.now() - 40 * 86400_000).toISOString(), from, to],
  );
  return (Date.now() - started) / 1000;
}

/** The i-th seeded user who may log in (approved, active, not a superuser). */
function activeUser(i) {
  const n = Math.floor(i / 16) * 20 + 4 + (i % 16); // n % 20 in 4..19
  return `user${String(n).padStart(7, '0')}`;
}

async function userRowTriggers(db) {
  const { rows } = await db.query(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal ORDER BY tgname`,
  );
  return rows.map((r) => r.tgname);
}

/** The app's trigger-kept counts (UserCounts migration), recomputed exactly; false when absent. */
async function recomputeUserCounts(db) {
  const { rows } = await db.query(`SELECT to_regclass('user_counts') IS NOT NULL AS present`);
  if (!rows[0].present) return false;
  await db.query(`UPDATE user_counts SET total = c.total, active = c.active, superusers = c.superusers, pending = c.pending, rejected = c.rejected
                    FROM (SELECT count(*) AS total, count(*) FILTER (WHERE is_active) AS active, count(*) FILTER (WHERE is_superuser) AS superusers,
                                 count(*) FILTER (WHERE approval_status = 'pending') AS pending, count(*) FILTER (WHERE approval_status = 'rejected') AS rejected
                            FROM users) c
                   WHERE user_counts.id = 1`);
  return true;
}

async function sessionUpdates(db) {
  const { rows } = await db.query(`SELECT n_tup_upd::int AS upd FROM pg_stat_user_tables WHERE relname = 'sessions'`);
  return rows[0] ? rows[0].upd : 0;
}

/**
 * Backends flush their table statistics at most once a second while busy and within 10 s once
 * idle: wait that long after the last write, then until two reads agree.
 */
async function settledSessionUpdates(db, sinceMs) {
  const wait = sinceMs + 11_500 - Date.now();
  if (wait > 0) await sleep(wait);
  let last = await sessionUpdates(db);
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    const now = await sessionUpdates(db);
    if (now === last) return now;
    last = now;
  }
  return last;
}

// ---------------------------------------------------------------- the server

/**
 * The bench builds the app into a private folder (the same `nest build`, with the same tsconfig and
 * plugins, only another outDir): the working copy may be shared, and `nest build` empties dist/
 * first (deleteOutDir), so building there would pull the code from under anyone running dist/,
 * and their builds from under us. Modules still resolve from the repo's node_modules (NODE_PATH).
 */
let serverMain = path.join(ROOT, 'dist', 'main.js');

function buildPrivate(workDir) {
  const buildDir = path.join(workDir, 'build');
  const outDir = path.join(workDir, 'dist');
  fs.mkdirSync(buildDir, { recursive: true });
  const tsconfig = path.join(buildDir, 'tsconfig.json');
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { outDir, typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
    }),
  );
  const nestCli = JSON.parse(fs.readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8'));
  nestCli.compilerOptions = {
    ...(nestCli.compilerOptions || {}),
    tsConfigPath: path.relative(ROOT, tsconfig),
    allowOutsidePaths: true,
  };
  const cliConfig = path.join(buildDir, 'nest-cli.json');
  fs.writeFileSync(cliConfig, JSON.stringify(nestCli));
  const nest = path.join(ROOT, 'node_modules', '.bin', 'nest');
  execFileSync(nest, ['build', '-c', path.relative(ROOT, cliConfig), '-p', path.relative(ROOT, tsconfig)], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (!fs.existsSync(path.join(outDir, 'main.js'))) throw new Error(`nest build produced no ${path.join(outDir, 'main.js')}`);
  return outDir;
}

/**
 * The environment of every server the bench starts: production mode, the image's runtime variables
 * (unless given), rate limits and lockout out of the way, a short idle timeout so that touches show
 * within a run. A null in `overrides` removes a variable.
 */
function serverEnv(overrides = {}) {
  const env = {
    ...IMAGE_ENV,
    ...ENV,
    NODE_ENV: 'production',
    PORT: '3000',
    HOST: '127.0.0.1',
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS),
    UV_THREADPOOL_SIZE: String(UV_THREADPOOL_SIZE),
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
    LOCKOUT_THRESHOLD: '1000',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'false',
    NODE_PATH: [path.join(ROOT, 'node_modules'), ENV.NODE_PATH].filter(Boolean).join(path.delimiter),
    ...overrides,
  };
  for (const key of ['REDIS_URL', 'TEST_DATABASE_URL', 'BENCH_DATABASE_URL', 'API_PREFIX']) delete env[key];
  for (const [key, value] of Object.entries(env)) if (value === null || value === undefined) delete env[key];
  return env;
}

/** MALLOC_* and UV_* variables set by the Dockerfile's last stage (the production image). */
function imageRuntimeEnv() {
  const file = path.join(ROOT, 'Dockerfile');
  if (!fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM\s/m);
  const last = stages[stages.length - 1];
  const found = {};
  for (const line of last.split('\n').filter((l) => /^ENV\s/.test(l))) {
    for (const [, key, value] of line.matchAll(/\b((?:MALLOC|UV)_[A-Z_]*)=(\S+)/g))
      found[key] = value.replace(/^["']|["']$/g, '');
  }
  return found;
}

async function startServer(options, attempt = 1) {
  try {
    return await startServerOnce(options);
  } catch (error) {
    if (attempt >= 2) throw error;
    log(`${error.message.split('\n')[0]}: retrying once`);
    return startServer(options, attempt + 1);
  }
}

async function startServerOnce({ dbUrl, workDir, name, extraEnv = {} }) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(workDir, `${name}-data-`));
  fs.chmodSync(dataDir, 0o755);
  const logFile = path.join(workDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const env = serverEnv({
    PORT: String(port),
    DATABASE_URL: dbUrl,
    DATA_DIR: dataDir,
    ...extraEnv,
  });
  const child = spawn(process.execPath, [serverMain], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}/api`;
  const tail = () => {
    // keep the log of a failed start: the work folder is removed at the end
    const kept = path.join(os.tmpdir(), `gatehouse-bench-${name}-${Date.now()}.log`);
    fs.copyFileSync(logFile, kept);
    return `(log kept in ${kept})\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`;
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`the server (${name}) exited during start-up (${JSON.stringify(exited)}):\n${tail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server (${name}) did not answer within 180 s:\n${tail()}`);
    }
    try {
      const res = await fetch(`${base}/config`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 100 && !exited; i++) await sleep(100);
    if (!exited) child.kill('SIGKILL');
    for (let i = 0; i < 20 && !exited; i++) await sleep(100);
  };
  return { pid: child.pid, port, base, dataDir, logFile, stop, alive: () => !exited };
}

async function api(base, method, route, { token, json } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

async function login(base, username) {
  const res = await api(base, 'POST', '/login', { json: { username_or_email: username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}

async function loginMany(base, usernames, concurrency = HASH_CONCURRENCY) {
  const tokens = new Array(usernames.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < usernames.length) {
        const i = next++;
        tokens[i] = await login(base, usernames[i]);
      }
    }),
  );
  return tokens;
}

const loginBody = (username) => JSON.stringify({ username_or_email: username, password: PASSWORD });

// ---------------------------------------------------------------- measurement helpers

function checkRun(label, run, notes, allowed = []) {
  if (run.requests === 0)
    notes.push(
      `${label}: not one answer during the ${run.seconds ?? '?'}-s run (${run.timeouts} timeouts, ${run.errors} errors)`,
    );
  const bad = Object.entries(run.statusCodes).filter(([code]) => !code.startsWith('2') && !allowed.includes(code));
  if (bad.length || run.errors || run.timeouts) {
    notes.push(`${label}: unexpected answers ${JSON.stringify(run.statusCodes)}, errors ${run.errors}, timeouts ${run.timeouts}`);
  }
}

function combine(runs) {
  return {
    rps: mean(runs.map((r) => r.rps)),
    p50: mean(runs.map((r) => r.latency.p50)),
    p99: mean(runs.map((r) => r.latency.p99)),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    ok2xx: runs.reduce((a, r) => a + r.ok2xx, 0),
    rounds: runs.map((r) => ({ rps: round(r.rps), p50: r.latency.p50, p99: r.latency.p99 })),
  };
}

/** Median latency of one admin route, one connection (sequential requests). */
async function measureAdmin(base, route, token, duration, notes, label) {
  const probe = await api(base, 'GET', route, { token });
  if (probe.status === 404) return { missing: true, status: 404 };
  if (probe.status !== 200) {
    notes.push(`${label}: GET ${route} answered ${probe.status} ${JSON.stringify(probe.body).slice(0, 200)}`);
    return { missing: false, status: probe.status, failed: true };
  }
  const run = await load({ url: `${base}${route}`, tokens: [token], connections: 1, duration, timeout: 30 });
  checkRun(label, run, notes);
  return {
    missing: false,
    status: 200,
    body: probe.body,
    p50: run.latency.p50,
    p99: run.latency.p99,
    requests: run.requests,
    mean: run.latency.mean,
  };
}

function describeAdminBody(body) {
  if (!body || typeof body !== 'object') return '';
  if (Array.isArray(body.users)) return `${body.users.length} rows, total ${body.total}`;
  if (body.total_users !== undefined) return `total_users ${body.total_users}`;
  return '';
}

async function timeQuery(db, text, params = [], reps = 3) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await db.query(text, params);
    times.push(performance.now() - started);
  }
  return median(times);
}

// ---------------------------------------------------------------- main

async function main() {
  const cleanups = [];
  let cleaning = null;
  // One cleanup, whoever asks first (a signal, or the run ending or failing); everyone awaits it.
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (e) {
          log(`cleanup: ${e.message}`);
        }
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup().then(() => process.exit(130));
    });
  }

  const R = { notes: [], levers: [], phases: {}, loadSamples: [] };
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

async function run(R, cleanups) {
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
  serverMain = path.join(dist, 'main.js');
  // The built modules resolve their packages from the repo's node_modules.
  process.env.NODE_PATH = [path.join(ROOT, 'node_modules'), ENV.NODE_PATH].filter(Boolean).join(path.delimiter);
  require('node:module').Module._initPaths();
  const { startEmbeddedPostgres } = require(path.join(dist, 'database', 'embedded-postgres.js'));
  IMAGE_ENV = imageRuntimeEnv();
  try {
    const { loadConfig } = require(path.join(dist, 'config', 'load-config.js'));
    const effective = loadConfig(serverEnv({ DATABASE_URL: 'postgres://bench@127.0.0.1:5432/bench', DATA_DIR: workDir }));
    HASH_CONCURRENCY = effective.hashConcurrency;
    HASH_QUEUE_LIMIT = effective.hashQueueLimit;
    POOL_SIZE = effective.databasePoolSize;
    if (effective.sessionTouchIntervalMs) TOUCH_INTERVAL_S = effective.sessionTouchIntervalMs / 1000;
  } catch (e) {
    notes.push(
      `the server's settings could not be read with its loadConfig (${e.message.split('\n')[0]}): assumed ${HASH_CONCURRENCY} / ${HASH_QUEUE_LIMIT} / ${POOL_SIZE}`,
    );
  }
  // enough connections that a request always waits for each hashing slot, few enough never to fill the queue
  LOGIN_CONNECTIONS = Math.max(2, Math.min(HASH_CONCURRENCY + HASH_QUEUE_LIMIT, 4 * HASH_CONCURRENCY));
  log(
    `server settings: HASH_CONCURRENCY=${HASH_CONCURRENCY}, HASH_QUEUE_LIMIT=${HASH_QUEUE_LIMIT}, DATABASE_POOL_SIZE=${POOL_SIZE}, touch interval ${TOUCH_INTERVAL_S} s${
      Object.keys(IMAGE_ENV).length
        ? `, from the Dockerfile: ${Object.entries(IMAGE_ENV)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }`,
  );
  let hasherModule = null;
  try {
    hasherModule = require(path.join(dist, 'auth', 'password', 'password-hasher.service.js'));
  } catch (e) {
    notes.push(`argon2 parameters read from the defaults, not from the build (${e.message.split('\n')[0]})`);
  }

  // ---- database server
  const urlVar = ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL', 'DATABASE_URL'].find((name) => ENV[name]);
  let adminUrl;
  if (urlVar) {
    adminUrl = ENV[urlVar];
    R.dbMode = `external PostgreSQL from ${urlVar} (${redact(adminUrl)}), fresh database per run`;
  } else {
    const pgDir = path.join(workDir, 'embedded');
    fs.mkdirSync(pgDir, { mode: 0o755 });
    fs.chmodSync(pgDir, 0o755);
    log('no database URL set: starting an embedded PostgreSQL');
    const handle = await startEmbeddedPostgres(pgDir, { log: () => undefined, warn: (m) => log(m) }, { database: 'postgres' });
    cleanups.push(() => handle.stop());
    adminUrl = handle.url;
    R.dbMode = 'embedded PostgreSQL (the default when no URL is set), in a temporary folder';
  }
  const dbName = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
  const dbUrl = await createDatabase(adminUrl, dbName);
  cleanups.push(() => dropDatabase(adminUrl, dbName));
  R.pgVersion = (await sql(dbUrl, 'SHOW server_version')).rows[0].server_version;
  log(`database ${dbName} on PostgreSQL ${R.pgVersion}`);

  // ---- the configured argon2 parameters, and one real hash shared by every seeded user
  const params = (hasherModule && hasherModule.ARGON2_PARAMETERS) || {
    type: argon2.argon2id,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  };
  R.argon2 = `argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}`;
  const hash = await argon2.hash(PASSWORD, params);

  // ---- the production server
  log('starting the production server (node dist/main.js)');
  const server = await startServer({ dbUrl, workDir, name: 'server' });
  cleanups.push(() => server.stop());
  const { base } = server;
  const rssSamples = [];
  const sampler = setInterval(() => {
    const m = memoryOf(server.pid);
    if (m.rssMb) rssSamples.push(m.rssMb);
  }, 250);
  cleanups.push(() => clearInterval(sampler));

  const health = await api(base, 'GET', '/health/live').catch(() => ({ status: 0 }));
  R.baselineRoute = health.status === 200 ? '/api/health/live' : '/api/config';
  if (health.status !== 200)
    notes.push(
      `\`GET /api/health/live\` answered ${health.status}: the baseline is \`GET /api/config\` (a trivial public route).`,
    );
  const baselineUrl = `http://127.0.0.1:${server.port}${R.baselineRoute}`;

  // ---- seed: the first user through the API (it becomes the superuser), 10k users in one INSERT
  const reg = await api(base, 'POST', '/register', {
    json: { email: 'admin@bench.example', username: 'benchadmin', password: PASSWORD },
  });
  if (reg.status !== 201) throw new Error(`registering the first user failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  cleanups.push(() => db.end());
  R.phases.seedSmallSeconds = await seedUsers(db, 1, SMALL, hash);
  await db.query('VACUUM ANALYZE users');
  log(`seeded ${SMALL} users in ${R.phases.seedSmallSeconds.toFixed(1)} s`);
  await sleep(2000);
  R.rssRestMb = memoryOf(server.pid).rssMb;
  // the server's memory after each phase: VmHWM tells which phase set the peak
  R.memPhases = [];
  const mark = (label) => R.memPhases.push({ label, ...memoryOf(server.pid) });
  mark('start + 10k seed');

  // ---- tokens (each login is a real argon2 verify)
  const names = (from, count) => Array.from({ length: count }, (_, i) => activeUser(from + i));
  const whoamiTokens = await loginMany(base, names(0, CONNECTIONS));
  const warmTokens = await loginMany(base, names(100, 10));
  const loginBodies = names(200, 400).map(loginBody);
  const whoamiUrl = `${base}/whoami`;
  const loginUrl = `${base}/login`;
  const jsonHeaders = { 'content-type': 'application/json' };

  // ---- warm-up (JIT, pools), not measured
  log('warm-up');
  await load({ url: baselineUrl, connections: CONNECTIONS, duration: 3, tokens: warmTokens });
  await load({ url: whoamiUrl, connections: CONNECTIONS, duration: 3, tokens: warmTokens });
  await load({
    url: loginUrl,
    method: 'POST',
    headers: jsonHeaders,
    bodies: loginBodies,
    connections: LOGIN_CONNECTIONS,
    duration: 2,
  });
  const warmEnd = Date.now();
  mark('warm-up');

  // ---- raw argon2 (round 1) while the statistics of the warm-up settle
  log(`raw argon2 verifies/s, ${HASH_CONCURRENCY} in flight, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`);
  const raw = [await rawArgon2(HASH_CONCURRENCY, D, hash)];
  const touchesBefore = await settledSessionUpdates(db, warmEnd);

  // ---- baseline and /whoami, alternated (same client configuration, both carry a bearer header)
  const baselineRuns = [];
  const whoamiRuns = [];
  let whoamiFirst = null;
  for (let r = 0; r < ROUNDS; r++) {
    log(`baseline ${R.baselineRoute} and /whoami, round ${r + 1}/${ROUNDS}, ${CONNECTIONS} connections, ${D} s each`);
    baselineRuns.push(await load({ url: baselineUrl, connections: CONNECTIONS, duration: D, tokens: whoamiTokens }));
    whoamiFirst ??= Date.now();
    whoamiRuns.push(await load({ url: whoamiUrl, connections: CONNECTIONS, duration: D, tokens: whoamiTokens }));
  }
  const whoamiLast = Date.now();
  mark('baseline + /whoami');
  baselineRuns.forEach((run) => checkRun('baseline', run, notes));
  whoamiRuns.forEach((run) => checkRun('/whoami', run, notes));
  R.baseline = combine(baselineRuns);
  R.whoami = combine(whoamiRuns);

  // ---- /login and raw argon2, alternated (the statistics of /whoami settle meanwhile)
  const loginRuns = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) raw.push(await rawArgon2(HASH_CONCURRENCY, D, hash));
    log(`POST /login, round ${r + 1}/${ROUNDS}, ${LOGIN_CONNECTIONS} connections`);
    loginRuns.push(
      await load({
        url: loginUrl,
        method: 'POST',
        headers: jsonHeaders,
        bodies: loginBodies,
        connections: LOGIN_CONNECTIONS,
        duration: D,
      }),
    );
  }
  loginRuns.forEach((run) => checkRun('/login', run, notes));
  R.login = combine(loginRuns);
  R.raw = { perSecond: mean(raw.map((x) => x.perSecond)), rounds: raw.map((x) => round(x.perSecond)) };
  mark('/login');
  // Each ratio is taken between the two runs of one round (next to each other in time), then the
  // median over the rounds: a burst of noise from a neighbour spoils one round, not the figure.
  R.ratios = {
    whoamiRps: median(whoamiRuns.map((w, i) => w.rps / baselineRuns[i].rps)),
    whoamiP99: median(whoamiRuns.map((w, i) => w.latency.p99 / Math.max(1, baselineRuns[i].latency.p99))),
    login: median(loginRuns.map((l, i) => l.rps / raw[i].perSecond)),
  };

  const touchesAfter = await settledSessionUpdates(db, whoamiLast);
  const span = (whoamiLast - whoamiFirst) / 1000;
  R.touches = {
    writes: touchesAfter - touchesBefore,
    requests: R.whoami.ok2xx,
    sessions: whoamiTokens.length,
    spanSeconds: span,
    intervalSeconds: TOUCH_INTERVAL_S,
    bound: whoamiTokens.length * (Math.floor(span / TOUCH_INTERVAL_S) + 1),
  };
  log(`session touches: ${R.touches.writes} writes for ${R.touches.requests} requests`);

  // ---- login flood at ~4x the hashing capacity, /whoami latency probed at a fixed rate
  const capacity = R.raw.perSecond;
  const floodRate = Math.round(4 * capacity);
  const probeTokens = await loginMany(base, names(700, PROBE.connections));
  const probe = (duration) =>
    load({ url: whoamiUrl, tokens: probeTokens, connections: PROBE.connections, overallRate: PROBE.overallRate, duration });
  log(`/whoami probe, quiet (${PROBE.overallRate} req/s)`);
  const quiet = await probe(D);
  checkRun('/whoami probe (quiet)', quiet, notes);
  log(`login flood at ${floodRate} req/s (4 x ${capacity.toFixed(1)} verifies/s) with the /whoami probe`);
  const floodBodies = names(1000, 500).map(loginBody);
  const [flood, loud] = await Promise.all([
    runChild('flood.js', { url: loginUrl, rate: floodRate, duration: D + 2, bodies: floodBodies }),
    sleep(1000).then(() => probe(D)),
  ]);
  checkRun('/whoami probe (flood)', loud, notes);
  await sleep(1000);
  log('/whoami probe, quiet again');
  const quietAfter = await probe(D);
  checkRun('/whoami probe (quiet, after)', quietAfter, notes);
  R.flood = {
    capacity,
    rate: floodRate,
    quiet,
    quietAfter,
    quietP99: (quiet.latency.p99 + quietAfter.latency.p99) / 2,
    loud,
    result: flood,
  };
  mark('login flood');

  // ---- admin routes at 10k users
  const measureAdminAll = async (label) => {
    const token = await login(base, 'benchadmin');
    const out = {};
    for (const [key, route] of Object.entries(ADMIN_ROUTES)) {
      log(`GET /api${route} at ${label} users`);
      out[key] = await measureAdmin(base, route, token, Math.max(3, Math.round(D * 0.75)), notes, `${route} at ${label}`);
    }
    return out;
  };
  R.admin = { small: await measureAdminAll('10k') };
  mark('admin at 10k');

  // ---- 1M users: one INSERT … SELECT generate_series (after start-up: no storage reconcile)
  if (!QUICK) {
    log(`seeding users ${SMALL + 1}..${LARGE} in one INSERT … SELECT generate_series`);
    R.userTriggers = await userRowTriggers(db);
    if (R.userTriggers.length) {
      // A row trigger that updates one shared row (the user counts) makes a one-statement bulk
      // insert quadratic: the row gets a new version per inserted user, all inside one
      // transaction. The seed runs with the triggers off and puts the counts right after; the
      // trigger's cost is measured in the levers.
      await db.query('ALTER TABLE users DISABLE TRIGGER USER');
      try {
        R.phases.seedLargeSeconds = await seedUsers(db, SMALL + 1, LARGE, hash);
      } finally {
        await db.query('ALTER TABLE users ENABLE TRIGGER USER');
      }
      const fixed = await recomputeUserCounts(db);
      const known = R.userTriggers.every((t) => /^TRG_users_counts/.test(t));
      notes.push(
        `\`users\` has row triggers (${R.userTriggers.join(', ')}): the ${count(LARGE - SMALL)}-row seed ran with them disabled` +
          `${fixed ? ', and `user_counts` was recomputed from the table afterwards' : ''}${known ? '' : ' (some of these triggers are unknown to the bench: what they maintain was not recomputed)'}. ` +
          'With the counts trigger enabled, the same one-statement INSERT was still running after 8 minutes in an earlier run and was stopped.',
      );
    } else {
      R.phases.seedLargeSeconds = await seedUsers(db, SMALL + 1, LARGE, hash);
    }
    // VACUUM merges the GIN pending lists and sets the visibility map, as autovacuum would soon.
    const started = Date.now();
    await db.query('VACUUM ANALYZE users');
    R.phases.analyzeSeconds = (Date.now() - started) / 1000;
    log(`seeded in ${R.phases.seedLargeSeconds.toFixed(1)} s, VACUUM ANALYZE ${R.phases.analyzeSeconds.toFixed(1)} s`);
    R.admin.large = await measureAdminAll(LARGE_LABEL);
    mark(`admin at ${LARGE_LABEL}`);
  }
  await sleep(2000);
  const mem = memoryOf(server.pid);
  R.rssAfterMb = mem.rssMb;
  R.rssPeakMb = Math.max(mem.hwmMb || 0, ...rssSamples);

  // ---- levers measured on the same data
  if (LEVERS && !QUICK) await lever(R, 'SQL levers', () => sqlLevers(R, db, base, dbUrl));
  clearInterval(sampler);
  await server.stop();

  if (LEVERS) {
    await lever(R, 'hashing levers', () => hashingLevers(R, hash));
    await serverLevers(R, adminUrl, workDir, hash, baselineUrl.replace(/^http:\/\/[^/]+/, ''));
  }
  if (ENV.BENCH_ADAPTER_DEPS) {
    log('adapter lever (Express vs Fastify, bare hello)');
    execFileSync(process.execPath, [path.join(__dirname, 'adapter-hello.js'), ENV.BENCH_ADAPTER_DEPS], { stdio: 'inherit' });
  }
}

// ---------------------------------------------------------------- levers

/** A lever that fails is reported as failed; the targets are still written. */
async function lever(R, label, fn) {
  try {
    await fn();
  } catch (error) {
    log(`${label} failed: ${error.stack || error}`);
    R.levers.push({ lever: label, value: `failed: ${String(error.message || error).split('\n')[0]}` });
  }
}

/**
 * The session check's SQL from the bench process through a pg pool of the server's size: two
 * queries, the app's one JOIN, and the same JOIN as a prepared (named) statement.
 */
async function sessionQueryLever(R, dbUrl) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: dbUrl, max: POOL_SIZE });
  try {
    const sessions = (await pool.query(`SELECT id FROM sessions LIMIT 50`)).rows;
    const join = `SELECT s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.revoked_at,
              u.username, u.email, u.is_active, u.is_superuser
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1`;
    const plan = (await pool.query(`EXPLAIN (COSTS OFF) ${join.replace('$1', `'${sessions[0].id}'`)}`)).rows.map((r) =>
      r['QUERY PLAN'].trim(),
    );
    const variants = {
      'two queries (session, then user)': async (id) => {
        const { rows } = await pool.query('SELECT user_id, created_at, last_seen_at, revoked_at FROM sessions WHERE id = $1', [
          id,
        ]);
        await pool.query('SELECT username, email, is_active, is_superuser FROM users WHERE id = $1', [rows[0].user_id]);
      },
      'one JOIN, unnamed statement': (id) => pool.query(join, [id]),
      'one JOIN, prepared (named) statement': (id) => pool.query({ name: 'bench_session_check', text: join, values: [id] }),
    };
    const rates = {};
    for (let r = 0; r < 2; r++) {
      for (const [name, fn] of Object.entries(variants)) {
        let done = 0;
        const started = performance.now();
        const endAt = started + 2000;
        await Promise.all(
          Array.from({ length: 2 * POOL_SIZE }, async (_, w) => {
            for (let i = w; performance.now() < endAt; i++) {
              await fn(sessions[i % sessions.length].id);
              done += 1;
            }
          }),
        );
        (rates[name] ??= []).push(done / ((performance.now() - started) / 1000));
      }
    }
    R.levers.push({
      lever: `session + user lookup, SQL only (bench process, pg pool of ${POOL_SIZE}, ${2 * POOL_SIZE} in flight; plan: ${plan.join(' → ')})`,
      value: Object.entries(rates)
        .map(([name, xs]) => `${name}: ${round(mean(xs), 0)} checks/s`)
        .join('; '),
    });
  } finally {
    await pool.end();
  }
}

async function sqlLevers(R, db, base, dbUrl) {
  const L = R.levers;
  log(`levers: SQL at ${LARGE_LABEL} users`);
  await sessionQueryLever(R, dbUrl);
  const indexes = (await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users'`)).rows;
  R.userIndexes = indexes.map((i) => i.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, (m) => m.replace('CREATE ', '')));

  // stats: one COUNT(*) FILTER aggregate vs one query per figure
  const one = await timeQuery(
    db,
    `SELECT count(*), count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE is_superuser),
            count(*) FILTER (WHERE approval_status = 'pending'), count(*) FILTER (WHERE approval_status = 'rejected') FROM users`,
  );
  const fiveStarted = performance.now();
  for (let i = 0; i < 3; i++) {
    for (const where of ['true', 'is_active', 'is_superuser', `approval_status = 'pending'`, `approval_status = 'rejected'`]) {
      await db.query(`SELECT count(*) FROM users WHERE ${where}`);
    }
  }
  const five = (performance.now() - fiveStarted) / 3;
  const kept = (await db.query(`SELECT to_regclass('user_counts') IS NOT NULL AS present`)).rows[0].present
    ? await timeQuery(db, 'SELECT total, active, superusers, pending, rejected FROM user_counts WHERE id = 1')
    : null;
  L.push({
    lever: `stats at ${LARGE_LABEL} users, SQL only: kept counts vs one \`COUNT(*) FILTER\` aggregate vs five \`COUNT(*)\` queries`,
    value: `${kept === null ? 'no counts table; ' : `counts row ${round(kept, 2)} ms; `}one aggregate ${round(one)} ms; five counts ${round(five)} ms`,
  });

  // row triggers on users: a one-statement bulk insert of n rows, with and without them (rolled back)
  const triggers = await userRowTriggers(db);
  if (triggers.length) {
    const insertMs = async (n, disable) => {
      await db.query('BEGIN');
      try {
        if (disable) await db.query('ALTER TABLE users DISABLE TRIGGER USER');
        const started = performance.now();
        await seedUsers(db, 2_000_001, 2_000_000 + n, '$argon2id$bench');
        return performance.now() - started;
      } finally {
        await db.query('ROLLBACK');
      }
    };
    const sizes = [5000, 10000, 20000];
    const withT = [];
    for (const n of sizes) withT.push(await insertMs(n, false));
    const without = await insertMs(sizes[sizes.length - 1], true);
    L.push({
      lever: `row triggers on users (${triggers.join(', ')}): one INSERT … SELECT of n users, rolled back`,
      value:
        `${sizes.map((n, i) => `${count(n)}: ${round(withT[i], 0)} ms`).join(', ')} with the triggers (×${round(withT[1] / withT[0], 1)} then ×${round(withT[2] / withT[1], 1)} for ×2 rows); ` +
        `${count(sizes[sizes.length - 1])} without them: ${round(without, 0)} ms`,
    });
  }

  // keyset vs OFFSET, half-way through the list ordered by created_at
  const mid = Math.floor(LARGE / 2);
  const offsetMs = await timeQuery(db, `SELECT id FROM users ORDER BY created_at, id LIMIT 100 OFFSET ${mid}`);
  const anchor = (await db.query(`SELECT created_at, id FROM users ORDER BY created_at, id LIMIT 1 OFFSET ${mid - 1}`)).rows[0];
  const keysetMs = await timeQuery(
    db,
    `SELECT id FROM users WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 100`,
    [anchor.created_at, anchor.id],
  );
  const hasCreatedIndex = indexes.some((i) => /\(created_at/.test(i.indexdef));
  L.push({
    lever: `keyset pagination vs OFFSET (page at position ${mid}, ordered by created_at, id)`,
    value: `keyset ${round(keysetMs)} ms vs OFFSET ${round(offsetMs)} ms${hasCreatedIndex ? '' : ' (no index on created_at: both sort the table)'}`,
  });

  // pg_trgm GIN indexes for the substring search: the app's two list queries, with the indexes and
  // without them (dropped inside a transaction that is rolled back: nothing changes for the app)
  const pattern = `%${SEARCH}%`;
  const match = `lower(username) LIKE $1 OR lower(email) LIKE $1 OR lower(coalesce(institution, '')) LIKE $1`;
  const listSql = [
    [`SELECT id, username, email, created_at FROM users WHERE ${match} ORDER BY created_at, id LIMIT 101`, [pattern]],
    [
      `SELECT count(*), count(*) FILTER (WHERE is_superuser), count(*) FILTER (WHERE is_active) FROM users WHERE ${match}`,
      [pattern],
    ],
  ];
  const listMs = async () => {
    let total = 0;
    for (const [text, values] of listSql) total += await timeQuery(db, text, values);
    return total;
  };
  let trgm = indexes.filter((i) => /gin_trgm_ops/.test(i.indexdef));
  let built = '';
  if (!trgm.length) {
    const ext = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`);
    if (!ext.rows.length) {
      L.push({
        lever: 'pg_trgm GIN indexes',
        value: `pg_trgm is not available on this server; search queries ${round(await listMs())} ms at 1M without them`,
      });
      return;
    }
    log('levers: building pg_trgm GIN indexes (bench database only: the schema has none)');
    const started = Date.now();
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.query(`CREATE INDEX bench_trgm_username ON users USING gin (lower(username) gin_trgm_ops)`);
    await db.query(`CREATE INDEX bench_trgm_email ON users USING gin (lower(email) gin_trgm_ops)`);
    await db.query(`CREATE INDEX bench_trgm_institution ON users USING gin (lower(coalesce(institution, '')) gin_trgm_ops)`);
    await db.query('ANALYZE users');
    built = `; built by the bench in ${round((Date.now() - started) / 1000)} s`;
    trgm = (await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'users' AND indexdef LIKE '%gin_trgm_ops%'`)).rows;
    const token = await login(base, 'benchadmin');
    R.admin.largeWithTrgm = await measureAdmin(
      base,
      `/admin/users?q=${SEARCH}&limit=100`,
      token,
      Math.max(3, Math.round(D * 0.75)),
      R.notes,
      'list with trgm',
    );
  }
  const withMs = await listMs();
  await db.query('BEGIN');
  let withoutMs;
  try {
    for (const { indexname } of trgm) await db.query(`DROP INDEX "${indexname}"`);
    withoutMs = await listMs();
  } finally {
    await db.query('ROLLBACK');
  }
  L.push({
    lever: `pg_trgm GIN indexes (${trgm.map((i) => i.indexname).join(', ')}${built || ', in the schema'}): the admin list's two queries for q=${SEARCH} at ${LARGE_LABEL} users`,
    value: `${round(withMs)} ms with the indexes vs ${round(withoutMs)} ms without (${round(withoutMs / withMs, 1)}×)`,
  });
}

async function hashingLevers(R, hash) {
  log('levers: raw argon2 vs concurrency and thread-pool size');
  const configs = [
    [1, 4],
    [2, 4],
    [4, 4],
    [8, 8],
    [4, 2],
  ];
  const rates = configs.map(() => []);
  // two passes, the second in reverse order, so that a burst of noise does not land on one setting
  for (const pass of [0, 1]) {
    const order = pass ? [...configs.keys()].reverse() : [...configs.keys()];
    for (const i of order) rates[i].push((await rawArgon2(configs[i][0], 2, hash, configs[i][1])).perSecond);
  }
  const rows = configs.map(([c, pool], i) => {
    const rate = mean(rates[i]);
    return `${c} in flight / pool ${pool}: ${round(rate)}/s, ${round((1000 * c) / rate)} ms each`;
  });
  const imageEnv = Object.entries(IMAGE_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  R.levers.push({
    lever: `hashing concurrency and UV_THREADPOOL_SIZE: raw argon2id verifies/s in a child process (${os.cpus().length} cores${imageEnv ? `, ${imageEnv}` : ''})`,
    value: rows.join('; '),
  });

  // glibc: how the 19 MiB blocks are allocated changes both the memory kept and the cost of a hash
  const mallocs = [
    ['glibc defaults', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: null }],
    ['MALLOC_MMAP_THRESHOLD_=131072', { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: null }],
    ['MALLOC_ARENA_MAX=1', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: '1' }],
  ];
  const results = mallocs.map(() => []);
  for (const pass of [0, 1]) {
    const order = pass ? [...mallocs.keys()].reverse() : [...mallocs.keys()];
    for (const i of order) results[i].push(await rawArgon2(HASH_CONCURRENCY, 3, hash, UV_THREADPOOL_SIZE, mallocs[i][1]));
  }
  const rateOf = (i) => mean(results[i].map((r) => r.perSecond));
  R.levers.push({
    rates: { defaults: rateOf(0), mmap: rateOf(1), arena: rateOf(2) },
    lever: `glibc malloc settings: raw argon2id at ${HASH_CONCURRENCY} in flight, pool ${UV_THREADPOOL_SIZE} (peak RSS of that process, which holds nothing else)`,
    value: mallocs
      .map(
        ([label], i) =>
          `${label}: ${round(mean(results[i].map((r) => r.perSecond)))}/s, peak ${round(Math.max(...results[i].map((r) => r.hwmMb)), 0)} MB`,
      )
      .join('; '),
  });
}

/** Short-lived servers on small scratch databases: pool size, and the hashing queue unbounded. */
async function serverLevers(R, adminUrl, workDir, hash, baselinePath) {
  const scratch = async (name, extraEnv, fn) => {
    const dbName = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
    const url = await createDatabase(adminUrl, dbName);
    let server;
    try {
      server = await startServer({ dbUrl: url, workDir, name, extraEnv });
      const reg = await api(server.base, 'POST', '/register', {
        json: { email: 'admin@bench.example', username: 'benchadmin', password: PASSWORD },
      });
      if (reg.status !== 201) throw new Error(`register: ${reg.status}`);
      const db = new Client({ connectionString: url });
      await db.connect();
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
  const names = (from, count) => Array.from({ length: count }, (_, i) => activeUser(from + i));

  // Pool size: three servers on one scratch database, loaded in turn within each round so that
  // they share the same moments of noise (and the baseline runs on the pool-10 server each round).
  await lever(R, 'database pool size', async () => {
    const sizes = [2, 10, 30];
    const dbName = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
    const url = await createDatabase(adminUrl, dbName);
    const servers = [];
    try {
      for (const size of sizes) {
        log(`levers: starting a server with DATABASE_POOL_SIZE=${size}`);
        servers.push(
          await startServer({ dbUrl: url, workDir, name: `pool-${size}`, extraEnv: { DATABASE_POOL_SIZE: String(size) } }),
        );
      }
      const reg = await api(servers[0].base, 'POST', '/register', {
        json: { email: 'admin@bench.example', username: 'benchadmin', password: PASSWORD },
      });
      if (reg.status !== 201) throw new Error(`register: ${reg.status}`);
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        await seedUsers(db, 1, 2000, hash);
      } finally {
        await db.end();
      }
      const tokens = await loginMany(servers[0].base, names(0, CONNECTIONS));
      const short = Math.min(D, 4);
      const baseUrl = `http://127.0.0.1:${servers[1].port}${baselinePath}`;
      for (const server of servers) await load({ url: `${server.base}/whoami`, tokens, connections: CONNECTIONS, duration: 2 });
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
  });

  // Memory: each argon2id verify allocates m = 19 MiB natively. glibc serves such blocks from
  // per-thread arenas once its dynamic mmap threshold has grown, and keeps them after the hash.
  await lever(R, 'server memory', async () => {
    const memory = [];
    const mmap = { MALLOC_MMAP_THRESHOLD_: '131072' };
    const mmapSet = serverEnv().MALLOC_MMAP_THRESHOLD_;
    const other = HASH_CONCURRENCY === 1 ? 4 : 1;
    for (const [label, extra] of [
      [`this run's settings (HASH_CONCURRENCY=${HASH_CONCURRENCY}${mmapSet ? `, MALLOC_MMAP_THRESHOLD_=${mmapSet}` : ''})`, {}],
      mmapSet ? ['without MALLOC_MMAP_THRESHOLD_', { MALLOC_MMAP_THRESHOLD_: null }] : ['MALLOC_MMAP_THRESHOLD_=131072', mmap],
      ['MALLOC_ARENA_MAX=1 instead', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: '1' }],
      // V8 lets the old generation grow far before a full collection: under 50 connections the heap
      // fills with garbage (a forced GC after such a run brings heapUsed back to ~40 MB)
      [
        'NODE_OPTIONS=--max-old-space-size=128',
        { NODE_OPTIONS: [ENV.NODE_OPTIONS, '--max-old-space-size=128'].filter(Boolean).join(' ') },
      ],
      [
        'MALLOC_ARENA_MAX=1 instead + NODE_OPTIONS=--max-old-space-size=128',
        {
          MALLOC_MMAP_THRESHOLD_: null,
          MALLOC_ARENA_MAX: '1',
          NODE_OPTIONS: [ENV.NODE_OPTIONS, '--max-old-space-size=128'].filter(Boolean).join(' '),
        },
      ],
      [
        `HASH_CONCURRENCY=${other}${mmapSet ? '' : ' + MALLOC_MMAP_THRESHOLD_=131072'}`,
        { HASH_CONCURRENCY: String(other), ...(mmapSet ? {} : mmap) },
      ],
    ]) {
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
            bodies: names(100, 300).map(loginBody),
            connections: 8,
            duration: short,
          });
          const tokens = await loginMany(server.base, names(0, CONNECTIONS));
          const whoami = await load({ url: `${server.base}/whoami`, tokens, connections: CONNECTIONS, duration: short });
          await sleep(1000);
          const after = memoryOf(server.pid);
          return (
            `${label}: rest ${round(rest, 0)} MB, peak ${round(after.hwmMb, 0)} MB, after the load ${round(after.rssMb, 0)} MB ` +
            `(${round(logins.rps)} logins/s, ${round(whoami.rps, 0)} /whoami/s)`
          );
        }),
      );
    }
    R.levers.push({
      lever: `server RSS: ${Math.min(D, 4)} s of /login (8 connections) then /whoami (50), fresh server each`,
      value: memory.join('<br>'),
    });
  });

  // The same flood against servers configured otherwise: the hashing queue unbounded, and fewer
  // hashes at once (leaving a core to the event loop and PostgreSQL on a 2-core machine).
  const describeFlood = (x) => {
    const st = x.flood.statuses;
    const refused = ['503', '429'].filter((c) => st[c]);
    const loud = x.loud.requests ? `${x.loud.latency.p99} ms` : `no answer (${x.loud.timeouts} timeouts)`;
    return (
      `/whoami probe p99 ${x.quiet.latency.p99} → ${loud}; ${(st['200'] || {}).count ?? 0} × 200 (p50 ${round((st['200'] || {}).p50, 0)} ms, p99 ${round((st['200'] || {}).p99, 0)} ms)` +
      `${refused.map((c) => `, ${st[c].count} × ${c} (p99 ${round(st[c].p99, 0)} ms)`).join('')}; ` +
      `${x.flood.maxInFlight} in flight at most, ${x.flood.timeouts} timeouts, drained ${round(x.flood.drainSeconds)} s after the flood`
    );
  };
  const main = R.flood;
  const otherConcurrency = HASH_CONCURRENCY === 1 ? 4 : 1;
  const variants = [
    ['HASH_QUEUE_LIMIT=100000 (unbounded)', { HASH_QUEUE_LIMIT: '100000' }],
    [
      `HASH_CONCURRENCY=${otherConcurrency}, HASH_QUEUE_LIMIT=64`,
      { HASH_CONCURRENCY: String(otherConcurrency), HASH_QUEUE_LIMIT: '64' },
    ],
  ];
  const rows = [
    `this run's server (HASH_CONCURRENCY=${HASH_CONCURRENCY}, HASH_QUEUE_LIMIT=${HASH_QUEUE_LIMIT}): ${describeFlood({ ...main, flood: main.result })}`,
  ];
  for (const [label, extra] of variants) {
    await lever(R, `login flood with ${label}`, async () => {
      log(`levers: the login flood against a server with ${label}`);
      const x = await scratch('flood', extra, async (server) => {
        const probeTokens = await loginMany(server.base, names(0, PROBE.connections));
        const url = `${server.base}/whoami`;
        const probe = () =>
          load({ url, tokens: probeTokens, connections: PROBE.connections, overallRate: PROBE.overallRate, duration: D });
        const quiet = await probe();
        const [flood, loud] = await Promise.all([
          runChild('flood.js', {
            url: `${server.base}/login`,
            rate: main.rate,
            duration: D + 2,
            bodies: names(100, 500).map(loginBody),
            timeoutMs: 15_000,
          }),
          sleep(1000).then(probe),
        ]);
        return { quiet, loud, flood };
      });
      rows.push(`${label}: ${describeFlood(x)}`);
    });
  }
  R.levers.push({
    lever: `login flood at ${main.rate} req/s (fresh server, 2k users, probe ${PROBE.overallRate} req/s)`,
    value: rows.join('<br>'),
  });
}

// ---------------------------------------------------------------- report

function verdict(ok) {
  return ok === null ? 'not measured' : ok ? '**met**' : '**NOT met**';
}

function targets(R) {
  const rows = [];
  const add = (target, measured, ratio, ok) => rows.push({ target, measured, ratio, verdict: verdict(ok) });
  const b = R.baseline;
  const w = R.whoami;
  const rpsRatio = R.ratios.whoamiRps;
  add(
    '`/whoami` req/s ≥ 60 % of baseline',
    `${round(w.rps, 0)} vs ${round(b.rps, 0)} req/s`,
    `${round(100 * rpsRatio, 0)} %`,
    rpsRatio >= 0.6,
  );
  const p99Ratio = R.ratios.whoamiP99;
  add('`/whoami` p99 ≤ 3× baseline p99', `${round(w.p99)} vs ${round(b.p99)} ms`, `${round(p99Ratio, 2)}×`, p99Ratio <= 3);
  const loginRatio = R.ratios.login;
  add(
    '`/login` ≥ 90 % of raw argon2 verifies/s',
    `${round(R.login.rps)} vs ${round(R.raw.perSecond)} /s`,
    `${round(100 * loginRatio, 0)} %`,
    loginRatio >= 0.9,
  );

  const f = R.flood;
  // no answer at all during the flood counts as an infinite latency
  const loudP99 = f.loud.requests > 0 ? f.loud.latency.p99 : Infinity;
  const floodP99Ratio = loudP99 / Math.max(1, f.quietP99);
  add(
    '`/whoami` p99 during the login flood ≤ 3× quiet',
    `${f.loud.requests > 0 ? f.loud.latency.p99 : `no answer (${f.loud.timeouts} timeouts)`} vs ${round(f.quietP99)} ms (quiet: mean of before and after; probe ${PROBE.overallRate} req/s)`,
    `${round(floodP99Ratio, 2)}×`,
    floodP99Ratio <= 3,
  );
  const st = f.result.statuses;
  const rejectedCodes = ['503', '429'].filter((c) => st[c]);
  const rejected = rejectedCodes.reduce((a, c) => a + st[c].count, 0);
  const rejectedP99 = Math.max(0, ...rejectedCodes.map((c) => st[c].p99));
  const accepted = st['200'] || { count: 0, p99: null };
  const queueBoundMs = (1000 * (HASH_CONCURRENCY + HASH_QUEUE_LIMIT)) / f.capacity;
  const others = Object.keys(st).filter((c) => !['200', '503', '429'].includes(c));
  // "Fast", relative to this run: a refused login costs no more than 3 cheap authenticated requests
  // at the same moment (the /whoami probe's p99 during the flood). "No pile-up": nothing times out,
  // and once the flood stops, what is in flight is answered within what the queue can hold
  // (concurrency + queue limit at the measured hashing rate; at least 1 s).
  const fastLimit = 3 * Math.max(1, loudP99);
  const drainLimit = Math.max(1, (2 * queueBoundMs) / 1000);
  const fast =
    rejected > 0 &&
    rejectedP99 <= fastLimit &&
    f.result.timeouts === 0 &&
    f.result.errors === 0 &&
    others.length === 0 &&
    f.result.drainSeconds <= drainLimit;
  add(
    'logins beyond capacity: a fast 503/429, no pile-up',
    `${f.result.sent} sent at ${f.rate}/s: ${accepted.count} × 200 (p99 ${round(accepted.p99, 0)} ms), ` +
      `${rejected} × ${rejectedCodes.join('/') || '503/429'} (p99 ${round(rejectedP99, 1)} ms)` +
      `${others.length ? `, other: ${others.map((c) => `${st[c].count} × ${c}`).join(', ')}` : ''}, ${f.result.timeouts} timeouts`,
    `refusal p99 ${round(rejectedP99 / Math.max(1, loudP99), 2)}× the probe's p99 (≤ 3×); drained ${round(f.result.drainSeconds, 1)} s after the flood (≤ ${round(drainLimit, 1)} s); ` +
      `at most ${f.result.maxInFlight} in flight; 200s p99 ${round(accepted.p99 / queueBoundMs, 1)}× the quiet queue bound ${round(queueBoundMs, 0)} ms`,
    fast,
  );

  for (const [key, name] of [
    ['list', `\`GET /admin/users?q=${SEARCH}&limit=100\``],
    ['stats', '`GET /admin/stats`'],
  ]) {
    const small = R.admin.small[key];
    const large = R.admin.large ? R.admin.large[key] : null;
    if (small.missing) {
      add(`${name}: median ≤ 50 ms at 1M, ≤ 3× the 10k figure`, 'route missing (404)', '—', null);
      continue;
    }
    if (small.failed || (large && (large.failed || large.missing))) {
      add(
        `${name}: median ≤ 50 ms at 1M, ≤ 3× the 10k figure`,
        `route answered ${small.failed ? small.status : large.status} (see notes)`,
        '—',
        false,
      );
      continue;
    }
    if (!large) {
      add(`${name}: median ≤ 50 ms at 1M`, `10k: ${small.p50} ms median (1M not seeded: quick mode)`, '—', null);
      continue;
    }
    add(
      `${name}: median ≤ 50 ms at ${LARGE_LABEL} users`,
      `${large.p50} ms (10k: ${small.p50} ms)`,
      `${large.p50} ms`,
      large.p50 <= 50,
    );
    const growth = large.p50 / Math.max(1, small.p50);
    add(`${name}: median at ${LARGE_LABEL} ≤ 3× at 10k`, `${large.p50} vs ${small.p50} ms`, `${round(growth, 1)}×`, growth <= 3);
  }

  const t = R.touches;
  const per1000 = (1000 * t.writes) / Math.max(1, t.requests);
  add(
    'session touches ≤ 1 per session per touch interval',
    `${t.writes} writes / ${t.requests} requests = ${round(per1000, 2)} per 1,000 (${t.sessions} sessions, ${round(t.spanSeconds)} s, interval ${t.intervalSeconds} s)`,
    `${t.writes} ≤ bound ${t.bound}`,
    t.writes <= t.bound,
  );
  add(
    'server RSS ≤ 200 MB at peak',
    `rest ${round(R.rssRestMb, 0)} MB, peak ${round(R.rssPeakMb, 0)} MB`,
    `${round(R.rssPeakMb, 0)} MB`,
    R.rssPeakMb <= 200,
  );
  return rows;
}

/** What this run says about each missed target, from its own figures. */
function readings(R) {
  const out = [];
  const leverValue = (prefix) => (R.levers.find((l) => l.lever.startsWith(prefix)) || {}).value;
  if (R.ratios.whoamiRps < 0.6 || R.ratios.whoamiP99 > 3) {
    const sq = leverValue('session + user lookup');
    out.push(
      `**/whoami vs baseline** (${round(100 * R.ratios.whoamiRps, 0)} %): the baseline answers from memory; \`/whoami\` adds a JWT check, a database round trip ` +
        `(the session + user JOIN, by primary keys) and a touch every ${TOUCH_INTERVAL_S} s per session, and PostgreSQL shares the same 2 cores. ` +
        (sq ? `The lookup alone, from the bench through a pg pool: ${sq}. ` : '') +
        (leverValue('database pool size') ? 'Pool sizes 2 / 10 / 30 compared in the lever rows.' : ''),
    );
  }
  if (R.ratios.login < 0.9) {
    out.push(
      `**/login vs raw argon2** (${round(100 * R.ratios.login, 0)} %): a login is a verify plus the user lookup, a transaction with two INSERTs (session, audit) and a commit, ` +
        `and signing the JWT; the ${HASH_CONCURRENCY} hashing thread${HASH_CONCURRENCY === 1 ? '' : 's'} share${HASH_CONCURRENCY === 1 ? 's' : ''} the 2 cores with that work, the event loop, PostgreSQL and the load client, while the raw measurement had the cores to itself. ` +
        `Per round: ${R.raw.rounds.map((raw, i) => `${R.login.rounds[i] ? R.login.rounds[i].rps : '?'} / ${raw}`).join(', ')} logins / verifies per s.`,
    );
  }
  const f = R.flood;
  const floodFlag = (f.loud.requests === 0 ? Infinity : f.loud.latency.p99) / Math.max(1, f.quietP99) > 3;
  if (floodFlag) {
    const fl = leverValue('login flood');
    out.push(
      `**login flood**: the hashing queue is bounded (${HASH_QUEUE_LIMIT}), but ${f.result.maxInFlight} requests were in flight at most: they wait *before* the queue, ` +
        `for the event loop, which shares ${os.cpus().length} cores with ${HASH_CONCURRENCY} hashing thread${HASH_CONCURRENCY === 1 ? '' : 's'}, PostgreSQL and the load clients, and every refused login still pays the body parsing, validation and ` +
        `the user lookup (the queue is checked inside \`verify\`, after \`findByLogin\`). Levers: ${HASH_CONCURRENCY >= os.cpus().length ? 'HASH_CONCURRENCY below the core count, and ' : ''}refusing before the lookup. ` +
        (fl ? `Same flood on other settings: ${fl.split('<br>').slice(1).join('; ')}.` : ''),
    );
  }
  const large = R.admin.large;
  if (large && !large.list.missing && !large.list.failed) {
    const growth = large.list.p50 / Math.max(1, R.admin.small.list.p50);
    if (large.list.p50 > 50 || growth > 3) {
      const sel = large.selective && !large.selective.missing ? `${large.selective.p50} ms` : 'not measured';
      out.push(
        `**admin list search** (${large.list.p50} ms at ${LARGE_LABEL}, ${round(growth, 1)}× the 10k figure): the page and the counts are two queries, and each does the same BitmapOr ` +
          `over the three trigram indexes; every seeded username begins with "user0", so each trigram of "${SEARCH}" matches most of the ${LARGE_LABEL} rows and the index scans ` +
          `grow with the table (a selective search, q=${SEARCH_SELECTIVE}: ${sel}). Levers: one scan for the page and the counts, and minimum search lengths.`,
      );
    }
  }
  if (
    large &&
    !large.stats.missing &&
    !large.stats.failed &&
    (large.stats.p50 > 50 || large.stats.p50 > 3 * Math.max(1, R.admin.small.stats.p50))
  ) {
    out.push(
      `**admin stats** (${large.stats.p50} ms at ${LARGE_LABEL}, ${R.admin.small.stats.p50} ms at 10k)${leverValue('stats at') ? `; SQL alone: ${leverValue('stats at')}` : ''}. ` +
        `Any count over the table grows with it; ≤ 50 ms at ${LARGE_LABEL} needs counts that are kept, not recomputed.`,
    );
  }
  const mallocRow = R.levers.find((l) => l.lever.startsWith('glibc malloc'));
  if (mallocRow && mallocRow.rates) {
    const { defaults, mmap, arena } = mallocRow.rates;
    if (mmap < 0.85 * defaults) {
      out.push(
        `**hashing capacity** (not a target; \`/login\` is compared with raw hashing under the same malloc settings, so its ratio does not show this): ` +
          `with MALLOC_MMAP_THRESHOLD_=131072 every 19 MiB block is mapped afresh and faulted in, so each hash costs more: ${round(mmap)} verifies/s against ` +
          `${round(defaults)} with glibc's defaults (${round(100 * (1 - mmap / defaults), 0)} % fewer), while MALLOC_ARENA_MAX=1 keeps the same low peak at ${round(arena)}/s.`,
      );
    }
  }
  const trig = leverValue('row triggers on users');
  if (trig) {
    out.push(
      `**bulk inserts** (not a target): ${trig}. A row trigger that updates one shared counters row makes a one-statement insert of n users cost O(n²) ` +
        `(one new version of that row per user, all in one transaction) and serialises concurrent registrations on that row; a statement-level trigger ` +
        `with transition tables (\`REFERENCING NEW TABLE … OLD TABLE\`) keeps the counts exact with one UPDATE per statement.`,
    );
  }
  if (R.rssPeakMb > 200) {
    const mem = leverValue('server RSS');
    const malloc = leverValue('glibc malloc');
    // which phase (after start-up) raised the peak most
    let peakPhase = null;
    const phases = R.memPhases || [];
    for (let i = 1; i < phases.length; i++) {
      const jump = phases[i].hwmMb - phases[i - 1].hwmMb;
      if (jump > 0 && (!peakPhase || jump > peakPhase.jump)) peakPhase = { label: phases[i].label, jump };
    }
    out.push(
      `**RSS** (rest ${round(R.rssRestMb, 0)} MB, peak ${round(R.rssPeakMb, 0)} MB${peakPhase ? `; the peak rose most, by ${round(peakPhase.jump, 0)} MB, during "${peakPhase.label}"` : ''}): ` +
        `two things grow it: V8's heap, which under ${CONNECTIONS} connections fills with garbage for a long while before a full collection (the old-space limit ` +
        `is sized from the machine's RAM), and argon2id's 19 MiB native block per hash (${HASH_CONCURRENCY} at once), which glibc by default keeps in per-thread arenas. ` +
        `${malloc ? `Raw hashing under three malloc settings: ${malloc}. ` : ''}${mem ? `Servers: ${mem.split('<br>').join('; ')}.` : ''}`,
    );
  }
  return out;
}

function table(headers, rows) {
  const esc = (v) => String(v ?? '').replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return `${head}${dirty ? ` + uncommitted changes in src/ (${dirty.split('\n').length} files)` : ''}`;
  } catch {
    return 'unknown';
  }
}

function report(R, startedAt, seconds) {
  const cpus = os.cpus();
  const command = [
    QUICK ? 'BENCH_QUICK=1' : null,
    ENV.BENCH_DATABASE_URL
      ? 'BENCH_DATABASE_URL=…'
      : ENV.TEST_DATABASE_URL
        ? `TEST_DATABASE_URL=${redact(ENV.TEST_DATABASE_URL)}`
        : ENV.DATABASE_URL
          ? 'DATABASE_URL=…'
          : null,
    'npm run bench',
  ]
    .filter(Boolean)
    .join(' ');
  const rows = targets(R);
  const targetTable = table(
    ['target', 'measured', 'ratio / value', 'verdict'],
    rows.map((r) => [r.target, r.measured, r.ratio, r.verdict]),
  );

  const detail = [];
  const lat = (r) =>
    `${round(r.rps, 0)} req/s, p50 ${round(r.p50)} ms, p99 ${round(r.p99)} ms (rounds: ${r.rounds.map((x) => `${x.rps}/s p99 ${x.p99}`).join('; ')})`;
  detail.push([`baseline \`GET ${R.baselineRoute}\`, ${CONNECTIONS} connections`, lat(R.baseline)]);
  detail.push([
    `\`GET /api/whoami\` (JWT + session/user query + touch), ${CONNECTIONS} connections, ${CONNECTIONS} sessions`,
    lat(R.whoami),
  ]);
  detail.push([`\`POST /api/login\` (correct password), ${LOGIN_CONNECTIONS} connections`, lat(R.login)]);
  detail.push([
    `raw argon2id verifies/s, ${HASH_CONCURRENCY} in flight, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`,
    `${round(R.raw.perSecond)}/s (rounds: ${R.raw.rounds.join(', ')})`,
  ]);
  const f = R.flood;
  detail.push([
    `\`/whoami\` probe, quiet (${PROBE.connections} connections, ${PROBE.overallRate} req/s), before / after the flood`,
    `p50 ${f.quiet.latency.p50} / ${f.quietAfter.latency.p50} ms, p99 ${f.quiet.latency.p99} / ${f.quietAfter.latency.p99} ms, ${f.quiet.requests} / ${f.quietAfter.requests} requests`,
  ]);
  detail.push([
    `\`/whoami\` probe during the flood`,
    `p50 ${f.loud.latency.p50} ms, p99 ${f.loud.latency.p99} ms, ${f.loud.requests} requests`,
  ]);
  detail.push([
    `login flood, open loop at ${f.rate} req/s (4 × ${round(f.capacity)} verifies/s), ${D + 2} s`,
    Object.entries(f.result.statuses)
      .map(
        ([code, s]) => `${s.count} × ${code} (p50 ${round(s.p50, 1)} ms, p99 ${round(s.p99, 1)} ms, max ${round(s.max, 0)} ms)`,
      )
      .join('; ') + `; at most ${f.result.maxInFlight} in flight; ${f.result.timeouts} timeouts, ${f.result.errors} errors`,
  ]);
  for (const [label, set] of [
    ['10k', R.admin.small],
    [LARGE_LABEL, R.admin.large],
    [`${LARGE_LABEL} + pg_trgm built by the bench (lever)`, R.admin.largeWithTrgm ? { list: R.admin.largeWithTrgm } : null],
  ]) {
    if (!set) continue;
    for (const [key, m] of Object.entries(set)) {
      const route = ADMIN_ROUTES[key];
      detail.push([
        `\`GET /api${route}\` at ${label} users, 1 connection${key === 'selective' ? ' (information, not a target)' : ''}`,
        m.missing
          ? 'route missing (404)'
          : m.failed
            ? `failed: ${m.status}`
            : `median ${m.p50} ms, p99 ${m.p99} ms, ${m.requests} requests; ${describeAdminBody(m.body)}`,
      ]);
    }
  }
  detail.push([
    'seeding (one INSERT … SELECT generate_series)',
    `10k: ${round(R.phases.seedSmallSeconds, 2)} s${R.phases.seedLargeSeconds ? `; +${LARGE - SMALL}: ${round(R.phases.seedLargeSeconds)} s, VACUUM ANALYZE ${round(R.phases.analyzeSeconds)} s` : ''}`,
  ]);
  detail.push([
    'server RSS',
    `at rest ${round(R.rssRestMb, 0)} MB, after the load ${round(R.rssAfterMb, 0)} MB, peak (VmHWM) ${round(R.rssPeakMb, 0)} MB`,
  ]);
  if (R.memPhases) {
    detail.push([
      'server RSS / VmHWM after each phase',
      R.memPhases.map((m) => `${m.label}: ${round(m.rssMb, 0)} / ${round(m.hwmMb, 0)} MB`).join('; '),
    ]);
  }

  const adapterFile = path.join(__dirname, 'adapter-results.json');
  let adapter = null;
  if (fs.existsSync(adapterFile)) adapter = JSON.parse(fs.readFileSync(adapterFile, 'utf8'));

  const md = [];
  md.push('# Gatehouse benchmark results');
  md.push('');
  md.push('Every target is a ratio between figures measured in the same run on the same machine (shared and noisy:');
  md.push('absolute numbers move from run to run, the ratios much less). Written by `bench/run.js`; see `bench/README.md`.');
  md.push('');
  md.push(`- **Command:** \`${command}\` (${round(seconds / 60, 1)} min, ${startedAt.toISOString()})`);
  md.push(
    `- **Machine:** ${cpus.length} × ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${round(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}, load average at start ${R.loadAtStart.map((x) => round(x, 2)).join(' / ')}`,
  );
  md.push(`- **Software:** Node ${process.version}, PostgreSQL ${R.pgVersion} — ${R.dbMode}; code at ${R.git}`);
  md.push(
    `- **Server:** \`node dist/main.js\` (built by the bench into a private folder), NODE_ENV=production, Fastify adapter; effective settings read with the app's own \`loadConfig\`: ` +
      `HASH_CONCURRENCY=${HASH_CONCURRENCY}, HASH_QUEUE_LIMIT=${HASH_QUEUE_LIMIT}, DATABASE_POOL_SIZE=${POOL_SIZE}; ` +
      `UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE} (the raw argon2 measurement uses the same)` +
      `${
        Object.keys(IMAGE_ENV).length
          ? `, ${Object.entries(IMAGE_ENV)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')} (as in the Dockerfile's runtime image)`
          : ''
      }, ` +
      `SESSION_IDLE_TIMEOUT_SECONDS=${IDLE_SECONDS} (touch interval ${TOUCH_INTERVAL_S} s, short on purpose so that coalescing is visible in a ${D}-s run), ` +
      `rate limits and lockout raised out of the way, ${R.argon2}`,
  );
  if (R.loadSamples.length) {
    md.push(
      `- **Noise:** 1-minute load average during the run: median ${round(median(R.loadSamples), 1)}, max ${round(Math.max(...R.loadSamples), 1)} ` +
        `on ${cpus.length} cores (the bench itself — server, PostgreSQL, load client — accounts for about 2–3); other people's jobs share the machine`,
    );
  }
  md.push(
    `- **Load:** autocannon in a separate process, ${D} s per measured run, measured pairs alternated (A B A B) after a warm-up; the login flood is an open-loop client (\`bench/lib/flood.js\`) so that the server cannot slow it down.`,
  );
  md.push('');
  md.push('## Targets');
  md.push('');
  md.push(targetTable);
  md.push('');
  md.push('## Measurements');
  md.push('');
  md.push(table(['run', 'result'], detail));
  md.push('');
  if (R.levers.length || adapter) {
    md.push('## Levers');
    md.push('');
    const leverRows = R.levers.map((l) => [l.lever, l.value]);
    if (adapter) {
      leverRows.unshift([
        `HTTP adapter: bare NestJS 12 hello, ${adapter.connections} connections (\`bench/adapter-hello.js\`, ${adapter.date.slice(0, 10)}, scratch install outside the repo)`,
        `Fastify ${round(adapter.fastify.rps, 0)} req/s (p99 ${adapter.fastify.p99} ms, RSS ${round(adapter.fastify.rssMb, 0)} MB) vs Express ${round(adapter.express.rps, 0)} req/s ` +
          `(p99 ${adapter.express.p99} ms, RSS ${round(adapter.express.rssMb, 0)} MB): Fastify ${round(adapter.fastify.rps / adapter.express.rps, 2)}×`,
      ]);
    }
    leverRows.push([
      'one indexed query for session + user (the app already does it)',
      `the \`/whoami\` figures above: ${round((100 * R.whoami.rps) / R.baseline.rps, 0)} % of the baseline's req/s`,
    ]);
    leverRows.push([
      'coalesced touches (the app already does it)',
      `${R.touches.writes} session writes for ${R.touches.requests} authenticated requests, where a write per request would make ${R.touches.requests}`,
    ]);
    md.push(table(['lever', 'measured in this run'], leverRows));
    md.push('');
    if (R.userIndexes) {
      md.push(`Indexes on \`users\` during the run: ${R.userIndexes.map((i) => `\`${i}\``).join(', ')}.`);
      md.push('');
    }
  }
  const read = readings(R);
  if (read.length) {
    md.push('## Reading the misses');
    md.push('');
    for (const line of read) md.push(`- ${line}`);
    md.push('');
  }
  md.push('## Notes');
  md.push('');
  if (QUICK) md.push('- Quick mode (`BENCH_QUICK=1`): the 1,000,000-user seed and the levers were skipped.');
  for (const note of R.notes) md.push(`- ${note}`);
  if (!R.notes.length && !QUICK)
    md.push('- Nothing unexpected: every measured run answered 2xx only (the flood excepted, see above).');
  md.push('');
  return { md: md.join('\n'), rows };
}

// ---------------------------------------------------------------- entry point

(async () => {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  let R;
  try {
    R = await main();
  } catch (error) {
    log(`FAILED: ${error.stack || error}`);
    process.exit(1);
  }
  R.loadAtStart = loadAtStart;
  R.git = gitDescribe();
  const { md, rows } = report(R, startedAt, (Date.now() - startedAt.getTime()) / 1000);
  fs.writeFileSync(RESULTS_PATH, md);
  process.stdout.write(
    `\n${table(
      ['target', 'measured', 'ratio / value', 'verdict'],
      rows.map((r) => [r.target, r.measured, r.ratio, r.verdict]),
    )}\n\n`,
  );
  log(`report written to ${path.relative(process.cwd(), RESULTS_PATH)}`);
  process.exit(0);
})();
