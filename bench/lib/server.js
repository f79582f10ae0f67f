// @ts-check
'use strict';
/**
 * The servers under test: the private build of the app, its environment, starting and stopping
 * it (and the bare NestJS ceiling, `bench/lib/bare.js`), and the few API calls the bench makes.
 */
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ENV, ROOT, IDLE_SECONDS, UV_THREADPOOL_SIZE, PASSWORD, settings } = require('./settings');
const { log, sleep } = require('./util');

/** @typedef {import('./types').EnvOverrides} EnvOverrides */

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The bench builds the app into a private folder (the same `nest build`, with the same tsconfig and
 * plugins, only another outDir): the working copy may be shared, and `nest build` empties dist/
 * first (deleteOutDir), so building there would pull the code from under anyone running dist/,
 * and their builds from under us. Modules still resolve from the repo's node_modules (NODE_PATH).
 * @param {string} workDir
 * @returns {string} the build's folder
 */
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

/** NODE_PATH with the repo's node_modules first: the private build resolves its packages there. */
const nodePath = () => [path.join(ROOT, 'node_modules'), ENV.NODE_PATH].filter(Boolean).join(path.delimiter);

/**
 * The environment of every server the bench starts: production mode, the image's runtime variables
 * (unless given), rate limits and lockout out of the way, a short idle timeout so that touches show
 * within a run. A null in `overrides` removes a variable.
 * @param {EnvOverrides} [overrides]
 * @returns {Record<string, string>}
 */
function serverEnv(overrides = {}) {
  /** @type {EnvOverrides} */
  const merged = {
    ...settings.imageEnv,
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
    // several servers run at once in the levers: each its own metrics port (the bench reads none)
    METRICS_PORT: '0',
    NODE_PATH: nodePath(),
    ...overrides,
  };
  for (const key of ['REDIS_URL', 'TEST_DATABASE_URL', 'BENCH_DATABASE_URL', 'API_PREFIX']) delete merged[key];
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(merged)) if (value !== null && value !== undefined) env[key] = value;
  return env;
}

/**
 * MALLOC_*, UV_* and NODE_OPTIONS variables set by the Dockerfile's last stage (the production image).
 * @returns {Record<string, string>}
 */
function imageRuntimeEnv() {
  const file = path.join(ROOT, 'Dockerfile');
  if (!fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM\s/m);
  const last = stages[stages.length - 1];
  /** @type {Record<string, string>} */
  const found = {};
  for (const line of last.split('\n').filter((l) => /^ENV\s/.test(l))) {
    for (const [, key, value] of line.matchAll(/\b((?:MALLOC|UV)_[A-Z_]*|NODE_OPTIONS)=("[^"]*"|\S+)/g))
      found[key] = value.replace(/^["']|["']$/g, '');
  }
  return found;
}

/**
 * Starts `node <build>/main.js` on a free port and waits until it answers; one retry.
 * @param {import('./types').StartOptions} options
 * @param {number} [attempt]
 * @returns {Promise<import('./types').ServerHandle>}
 */
async function startServer(options, attempt = 1) {
  try {
    return await startServerOnce(options);
  } catch (error) {
    if (attempt >= 2) throw error;
    log(`${String(error instanceof Error ? error.message : error).split('\n')[0]}: retrying once`);
    return startServer(options, attempt + 1);
  }
}

/**
 * @param {import('./types').StartOptions} options
 * @returns {Promise<import('./types').ServerHandle>}
 */
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
  const child = spawn(process.execPath, [settings.serverMain], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  /** @type {{ code: number | null, signal: string | null } | null} */
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
  return { pid: /** @type {number} */ (child.pid), port, base, dataDir, logFile, stop, alive: () => !exited };
}

/**
 * The bare ceiling: a minimal NestJS app on the Fastify adapter, from the project's own installed
 * packages (`bench/lib/bare.js`), in its own process with the servers' environment, serving
 * `GET /api/health/live` as the app does.
 * @returns {Promise<import('./types').BareHandle>}
 */
async function startBare() {
  const port = await freePort();
  const env = serverEnv({ PORT: String(port) });
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'bare.js'), JSON.stringify({ port, prefix: 'api', route: 'health/live' })],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  /** @type {{ code: number | null } | null} */
  let exited = null;
  child.on('exit', (code) => (exited = { code }));
  const versions = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('ready '));
      if (line) resolve(JSON.parse(line.slice('ready '.length)).versions);
    });
    child.on('exit', (code) => reject(new Error(`the bare NestJS server exited ${code} during start-up`)));
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) child.kill('SIGKILL');
  };
  return { pid: /** @type {number} */ (child.pid), url: `http://127.0.0.1:${port}/api/health/live`, versions, stop };
}

/**
 * @param {string} base
 * @param {string} method
 * @param {string} route
 * @param {{ token?: string, json?: unknown }} [options]
 * @returns {Promise<import('./types').ApiAnswer>}
 */
async function api(base, method, route, { token, json } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  /** @type {unknown} */
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/**
 * A bearer token for a seeded user (one real argon2 verify).
 * @param {string} base
 * @param {string} username
 * @returns {Promise<string>}
 */
async function login(base, username) {
  for (let attempt = 1; ; attempt++) {
    const res = await api(base, 'POST', '/login', { json: { username_or_email: username, password: PASSWORD } });
    if (res.status === 200) return /** @type {{ access_token: string }} */ (res.body).access_token;
    // 503 LOGIN_BUSY: the hashing queue (or this address's share of it) is still full of a load
    // run's logins; it says when to come back (Retry-After: 1).
    if (res.status !== 503 || attempt >= 10)
      throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(1000);
  }
}

/**
 * @param {string} base
 * @param {string[]} usernames
 * @param {number} [concurrency]
 */
async function loginMany(base, usernames, concurrency = settings.hashConcurrency) {
  /** @type {string[]} */
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

/** @param {string} username */
const loginBody = (username) => JSON.stringify({ username_or_email: username, password: PASSWORD });

/**
 * Registers the first user (who becomes the superuser) as `benchadmin`.
 * @param {string} base
 */
async function registerAdmin(base) {
  const reg = await api(base, 'POST', '/register', {
    json: { email: 'admin@bench.example', username: 'benchadmin', password: PASSWORD },
  });
  if (reg.status !== 201) throw new Error(`registering the first user failed: ${reg.status} ${JSON.stringify(reg.body)}`);
}

module.exports = {
  freePort,
  buildPrivate,
  nodePath,
  serverEnv,
  imageRuntimeEnv,
  startServer,
  startBare,
  api,
  login,
  loginMany,
  loginBody,
  registerAdmin,
};
