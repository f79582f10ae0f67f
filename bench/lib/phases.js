// @ts-check
'use strict';
/**
 * The measured phases on the production server, in the order `bench/run.js` runs them. Compared
 * routes alternate within each round (A B C A B C…) and every ratio is the median of the ratios of
 * the runs of one round, next to each other in time: noise from a neighbour spoils one round, not
 * the figure.
 */
const fs = require('node:fs');
const settingsModule = require('./settings');
const { CONNECTIONS, D, ROUNDS, PASSWORD, PROBE, SMALL, LARGE, LARGE_LABEL, QUICK, ADMIN_ROUTES, UV_THREADPOOL_SIZE, count } =
  settingsModule;
const { settings } = settingsModule;
const db = require('./database');
const { startServer, startBare, api, login, loginMany, loginBody, registerAdmin } = require('./server');
const m = require('./measure');
const { log, sleep, round, mean, median } = require('./util');

/** @typedef {import('./types').Results} Results */
/** @typedef {import('./types').MeasuredRun} MeasuredRun */
/** @typedef {import('./setup').Setup} Setup */

/**
 * @typedef {object} Started the production server and the bare ceiling
 * @property {import('./types').ServerHandle} server
 * @property {import('./types').BareHandle} bare the bare NestJS + Fastify ceiling
 * @property {import('pg').Client} db
 * @property {{ samples: number[], stop(): void }} rss the server's RSS, sampled
 * @property {(label: string) => void} mark notes the server's memory after a phase
 * @property {string} baselineUrl the app's trivial route
 */
/**
 * @typedef {object} Measured what the request-path phase hands on
 * @property {string[]} whoamiTokens
 * @property {string[]} loginBodies
 * @property {number} touchesBefore
 * @property {number} whoamiLast when the last /whoami run ended
 * @property {import('./types').RawArgon2Run[]} rawVerifies the first round of raw verifies
 */
/** @typedef {Started & Measured} Main */

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * "At rest" is a server left idle this long. Once allocation has stopped, Node 20's V8 shrinks the
 * heap, the young generation included, from 8 s after the last full collection (its memory
 * reducer; a start-up's RSS was seen to fall by 16 to 36 MB between 8 and 17 s after it); on Node
 * 24, whose reducer never starts on an idle server, the server collects once after 10 s without a
 * request, then trims glibc's heap (src/common/memory/idle-heap-collection.ts, checked every
 * 2.5 s); the hasher gives argon2's blocks back after 1 s without hashing
 * (src/passwords/idle-memory-release.ts). A reading taken sooner is of a server that has just
 * stopped working.
 */
const REST_SECONDS = 25;

/**
 * A registration body: each request gets its own username and email (`[<id>]` is replaced in
 * `bench/lib/load.js`). The names never match the admin searches of the bench.
 */
const REGISTER_TEMPLATE = JSON.stringify({ email: 'reg-[<id>]@bench.example', username: 'reg-[<id>]', password: PASSWORD });

/**
 * Starts the server and the bare ceiling, registers the first user, seeds 10k users.
 * @param {Results} R
 * @param {Setup} setup
 * @param {(() => unknown)[]} cleanups
 * @returns {Promise<Started>}
 */
async function startMain(R, setup, cleanups) {
  log('starting the production server (node dist/main.js)');
  const server = await startServer({ dbUrl: setup.dbUrl, workDir: setup.workDir, name: 'server' });
  cleanups.push(() => server.stop());
  const rss = m.rssSampler(server.pid);
  cleanups.push(() => rss.stop());
  log('starting the bare NestJS app (Fastify adapter, the project’s own packages)');
  const bare = await startBare();
  cleanups.push(() => bare.stop());

  const health = await api(server.base, 'GET', '/health/live').catch(() => ({ status: 0 }));
  R.baselineRoute = health.status === 200 ? '/api/health/live' : '/api/config';
  if (health.status !== 200)
    R.notes.push(
      `\`GET /api/health/live\` answered ${health.status}: the baseline is \`GET /api/config\` (a trivial public route).`,
    );
  const baselineUrl = `http://127.0.0.1:${server.port}${R.baselineRoute}`;

  // ---- seed: the first user through the API (it becomes the superuser), 10k users in one INSERT
  await registerAdmin(server.base);
  const client = await db.connect(setup.dbUrl);
  cleanups.push(() => client.end());
  R.phases = { seedSmallSeconds: await db.seedUsers(client, 1, SMALL, setup.hash) };
  await client.query('VACUUM ANALYZE users');
  log(`seeded ${SMALL} users in ${R.phases.seedSmallSeconds.toFixed(1)} s`);
  await sleep(2000);
  R.rssStartMb = m.memoryOf(server.pid).rssMb;
  log(`RSS ${round(R.rssStartMb, 0)} MB just after start-up; waiting ${REST_SECONDS} s for the server at rest`);
  await sleep((REST_SECONDS - 2) * 1000);
  R.rssRestMb = m.memoryOf(server.pid).rssMb;
  R.restParts = m.residentParts(server.pid);
  R.bare = { versions: bare.versions, rssRestMb: m.memoryOf(bare.pid).rssMb, rssPeakMb: null };
  // the server's memory after each phase: VmHWM tells which phase set the peak
  R.memPhases = [];
  const mark = (/** @type {string} */ label) =>
    R.memPhases.push({ label, ...m.memoryOf(server.pid), cHeapMb: m.residentParts(server.pid)?.cHeapMb ?? null });
  mark('start + 10k seed');
  return { server, bare, db: client, rss, mark, baselineUrl };
}

/**
 * Tokens, the warm-up, and the 50-connection rounds: bare ceiling, trivial route, /whoami.
 * @param {Results} R
 * @param {Setup} setup
 * @param {Started} started
 * @returns {Promise<Main>}
 */
async function requestPath(R, setup, started) {
  const { server, bare, baselineUrl, mark } = started;
  const base = server.base;
  // ---- tokens (each login is a real argon2 verify)
  const warmTokens = await loginMany(base, db.activeUsers(100, 10));
  const loginBodies = db.activeUsers(200, 400).map(loginBody);
  const whoamiUrl = `${base}/whoami`;
  const hashing = { method: 'POST', headers: JSON_HEADERS, connections: settings.loginConnections };

  // ---- warm-up (JIT, pools), not measured; the 50-connection runs first
  log('warm-up');
  const warmPeak = m.peakWindow(server.pid, started.rss);
  await m.load({ url: bare.url, connections: CONNECTIONS, duration: 3, tokens: warmTokens });
  await m.load({ url: baselineUrl, connections: CONNECTIONS, duration: 3, tokens: warmTokens });
  await m.load({ url: whoamiUrl, connections: CONNECTIONS, duration: 3, tokens: warmTokens });
  const peakWarm = warmPeak();
  await m.load({ ...hashing, url: `${base}/login`, bodies: loginBodies, duration: 2 });
  await m.load({ ...hashing, url: `${base}/register`, bodyTemplate: REGISTER_TEMPLATE, duration: 2 });
  const warmEnd = Date.now();
  mark('warm-up');

  // ---- raw argon2 (round 1) while the statistics of the warm-up settle
  log(`raw argon2 verifies/s, ${settings.hashConcurrency} in flight, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`);
  const rawVerifies = [await m.rawArgon2(settings.hashConcurrency, D, setup.hash)];
  // the sessions of /whoami, opened now: before the warm-up, they could idle out before their first run
  const whoamiTokens = await loginMany(base, db.activeUsers(0, CONNECTIONS));
  const touchesBefore = await db.settledSessionUpdates(started.db, warmEnd);

  // ---- bare ceiling, trivial route and /whoami, alternated (same client configuration: all carry a bearer header)
  /** @type {MeasuredRun[]} */
  const bareRuns = [];
  /** @type {MeasuredRun[]} */
  const baselineRuns = [];
  /** @type {MeasuredRun[]} */
  const whoamiRuns = [];
  let whoamiFirst = 0;
  const roundsPeak = m.peakWindow(server.pid, started.rss);
  for (let r = 0; r < ROUNDS; r++) {
    log(`bare ceiling, ${R.baselineRoute} and /whoami, round ${r + 1}/${ROUNDS}, ${CONNECTIONS} connections, ${D} s each`);
    const options = { connections: CONNECTIONS, duration: D, tokens: whoamiTokens };
    bareRuns.push(await m.measuredLoad(bare.pid, { ...options, url: bare.url }));
    baselineRuns.push(await m.measuredLoad(server.pid, { ...options, url: baselineUrl }));
    whoamiFirst ||= Date.now();
    whoamiRuns.push(await m.measuredLoad(server.pid, { ...options, url: whoamiUrl }));
  }
  const whoamiLast = Date.now();
  R.rssPeak50Mb = Math.max(peakWarm, roundsPeak());
  R.bare.rssPeakMb = m.memoryOf(bare.pid).hwmMb;
  mark('bare + baseline + /whoami');
  bareRuns.forEach((run) => m.checkRun('bare ceiling', run, R.notes));
  baselineRuns.forEach((run) => m.checkRun('baseline', run, R.notes));
  whoamiRuns.forEach((run) => m.checkRun('/whoami', run, R.notes));
  R.bareRun = m.combine(bareRuns);
  R.baseline = m.combine(baselineRuns);
  R.whoami = m.combine(whoamiRuns);
  /** @param {(i: number) => number} f */
  const perRound = (f) => median(bareRuns.map((_, i) => f(i)));
  R.ratios = {
    whoamiRps: perRound((i) => whoamiRuns[i].rps / baselineRuns[i].rps),
    whoamiP99: perRound((i) => whoamiRuns[i].latency.p99 / Math.max(1, baselineRuns[i].latency.p99)),
    trivialVsBare: perRound((i) => baselineRuns[i].rps / bareRuns[i].rps),
    whoamiVsBare: perRound((i) => whoamiRuns[i].rps / bareRuns[i].rps),
    whoamiP99VsBare: perRound((i) => whoamiRuns[i].latency.p99 / Math.max(1, bareRuns[i].latency.p99)),
    login: NaN, // with the /login runs
    register: NaN, // with the /register runs
  };
  R.touches = {
    writes: 0, // once the statistics have settled
    requests: R.whoami.ok2xx,
    sessions: whoamiTokens.length,
    spanSeconds: (whoamiLast - whoamiFirst) / 1000,
    runSeconds: whoamiRuns.map((run) => run.seconds),
    intervalSeconds: settings.touchIntervalS,
    // a session is written at most once per interval while it is used: floor(d / interval) + 1 times in a run of d seconds
    bound: whoamiTokens.length * whoamiRuns.reduce((a, run) => a + Math.floor(run.seconds / settings.touchIntervalS) + 1, 0),
  };
  return { ...started, whoamiTokens, loginBodies, touchesBefore, whoamiLast, rawVerifies };
}

/**
 * /login against raw verifies and /register against raw hashes, alternated per round; then the
 * session touches of the /whoami runs, whose statistics have settled meanwhile.
 * @param {Results} R
 * @param {Setup} setup
 * @param {Main} main
 */
async function hashing(R, setup, main) {
  const { server } = main;
  const options = { method: 'POST', headers: JSON_HEADERS, connections: settings.loginConnections, duration: D };
  const raw = main.rawVerifies;
  /** @type {MeasuredRun[]} */
  const loginRuns = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) raw.push(await m.rawArgon2(settings.hashConcurrency, D, setup.hash));
    log(`POST /login, round ${r + 1}/${ROUNDS}, ${settings.loginConnections} connections`);
    loginRuns.push(await m.measuredLoad(server.pid, { ...options, url: `${server.base}/login`, bodies: main.loginBodies }));
  }
  loginRuns.forEach((run) => m.checkRun('/login', run, R.notes));
  R.login = m.combine(loginRuns, { successesOnly: true });
  R.raw = { perSecond: mean(raw.map((x) => x.perSecond)), rounds: raw.map((x) => round(x.perSecond)) };
  // Each ratio is taken between the runs of one round (next to each other in time), then the
  // median over the rounds: a burst of noise from a neighbour spoils one round, not the figure.
  R.ratios.login = median(loginRuns.map((l, i) => m.successRate(l) / raw[i].perSecond));
  main.mark('/login');

  /** @type {import('./types').RawArgon2Run[]} */
  const rawHashes = [];
  /** @type {MeasuredRun[]} */
  const registerRuns = [];
  for (let r = 0; r < ROUNDS; r++) {
    log(`raw argon2 hashes/s and POST /register, round ${r + 1}/${ROUNDS}, ${settings.loginConnections} connections`);
    rawHashes.push(await m.rawArgon2Hashes(settings.hashConcurrency, D, setup.params));
    registerRuns.push(
      await m.measuredLoad(server.pid, { ...options, url: `${server.base}/register`, bodyTemplate: REGISTER_TEMPLATE }),
    );
  }
  registerRuns.forEach((run) => m.checkRun('/register', run, R.notes));
  // DATA_DIR's calls leave the event loop for the thread pool when the disk is slow (src/common/fs/inline-fs.ts).
  const slowDisk = fs.readFileSync(server.logFile, 'utf8').match(/DATA_DIR is slow[^"]*/);
  if (slowDisk)
    R.notes.push(`The server logged "${slowDisk[0]}" during the runs: the registrations above went through the thread pool.`);
  R.register = m.combine(registerRuns, { successesOnly: true });
  R.rawHash = { perSecond: mean(rawHashes.map((x) => x.perSecond)), rounds: rawHashes.map((x) => round(x.perSecond)) };
  R.ratios.register = median(registerRuns.map((x, i) => m.successRate(x) / rawHashes[i].perSecond));
  // What the disk charges for the tree's files and folders, beside tmpfs (a registration's share of
  // the cores that the raw hashes never pay).
  R.fileCreation = {
    dataDir: m.fileCreationCost(setup.workDir),
    tmpfs: fs.existsSync('/dev/shm') ? m.fileCreationCost('/dev/shm') : null,
  };
  main.mark('/register');

  const touchesAfter = await db.settledSessionUpdates(main.db, main.whoamiLast);
  R.touches.writes = touchesAfter - main.touchesBefore;
  log(`session touches: ${R.touches.writes} writes for ${R.touches.requests} requests`);
}

/**
 * The login flood at ~4x the hashing capacity, /whoami latency probed at a fixed rate.
 * @param {Results} R
 * @param {Main} main
 */
async function loginFlood(R, main) {
  const { base } = main.server;
  const capacity = R.raw.perSecond;
  const floodRate = Math.round(4 * capacity);
  const probeTokens = await loginMany(base, db.activeUsers(700, PROBE.connections));
  const whoamiUrl = `${base}/whoami`;
  const probe = (/** @type {number} */ duration) =>
    m.load({ url: whoamiUrl, tokens: probeTokens, connections: PROBE.connections, overallRate: PROBE.overallRate, duration });
  log(`/whoami probe, quiet (${PROBE.overallRate} req/s)`);
  const quiet = await probe(D);
  m.checkRun('/whoami probe (quiet)', quiet, R.notes);
  log(`login flood at ${floodRate} req/s (4 x ${capacity.toFixed(1)} verifies/s) with the /whoami probe`);
  const floodBodies = db.activeUsers(1000, 500).map(loginBody);
  const [result, loud] = await Promise.all([
    m.flood({ url: `${base}/login`, rate: floodRate, duration: D + 2, bodies: floodBodies }),
    sleep(1000).then(() => probe(D)),
  ]);
  m.checkRun('/whoami probe (flood)', loud, R.notes);
  await sleep(1000);
  log('/whoami probe, quiet again');
  const quietAfter = await probe(D);
  m.checkRun('/whoami probe (quiet, after)', quietAfter, R.notes);
  R.flood = {
    capacity,
    rate: floodRate,
    quiet,
    quietAfter,
    quietP99: (quiet.latency.p99 + quietAfter.latency.p99) / 2,
    loud,
    result,
  };
  main.mark('login flood');
}

/**
 * The admin routes at 10k users, then (full mode) at 1M users seeded in one INSERT … SELECT.
 * @param {Results} R
 * @param {Setup} setup
 * @param {Main} main
 */
async function adminRoutes(R, setup, main) {
  const { base } = main.server;
  const measureAll = async (/** @type {string} */ label) => {
    const token = await login(base, 'benchadmin');
    /** @type {import('./types').AdminSet} */
    const out = {};
    for (const [key, route] of Object.entries(ADMIN_ROUTES)) {
      log(`GET /api${route} at ${label} users`);
      out[key] = await m.measureAdmin(base, route, token, Math.max(3, Math.round(D * 0.75)), R.notes, `${route} at ${label}`);
    }
    return out;
  };
  R.admin = { small: await measureAll('10k') };
  main.mark('admin at 10k');
  if (QUICK) return;

  // after start-up: no storage reconcile sees them
  log(`seeding users ${SMALL + 1}..${LARGE} in one INSERT … SELECT generate_series`);
  const client = main.db;
  R.userTriggers = (await db.userRowTriggers(client)).filter((t) => /^TRG_users_counts/.test(t));
  if (R.userTriggers.length) {
    // A row trigger that updates one shared row (the user counts) makes a one-statement bulk
    // insert quadratic: the row gets a new version per inserted user, all inside one
    // transaction. The seed runs with the triggers off and puts the counts right after; the
    // trigger's cost is measured in the levers.
    // Only the counts triggers: the identity-key triggers must run (they fill user_identifiers).
    const each = async (/** @type {string} */ action) => {
      for (const t of R.userTriggers ?? []) await client.query(`ALTER TABLE users ${action} TRIGGER "${t}"`);
    };
    await each('DISABLE');
    try {
      R.phases.seedLargeSeconds = await db.seedUsers(client, SMALL + 1, LARGE, setup.hash);
    } finally {
      await each('ENABLE');
    }
    const fixed = await db.recomputeUserCounts(client);
    const known = true;
    R.notes.push(
      `\`users\` has row triggers (${R.userTriggers.join(', ')}): the ${count(LARGE - SMALL)}-row seed ran with them disabled` +
        `${fixed ? ', and `user_counts` was recomputed from the table afterwards' : ''}${known ? '' : ' (some of these triggers are unknown to the bench: what they maintain was not recomputed)'}. ` +
        'With the counts trigger enabled, the same one-statement INSERT was still running after 8 minutes in an earlier run and was stopped.',
    );
  } else {
    R.phases.seedLargeSeconds = await db.seedUsers(client, SMALL + 1, LARGE, setup.hash);
  }
  // VACUUM merges the GIN pending lists and sets the visibility map, as autovacuum would soon.
  const started = Date.now();
  await client.query('VACUUM ANALYZE users');
  R.phases.analyzeSeconds = (Date.now() - started) / 1000;
  log(`seeded in ${(R.phases.seedLargeSeconds || 0).toFixed(1)} s, VACUUM ANALYZE ${R.phases.analyzeSeconds.toFixed(1)} s`);
  R.admin.large = await measureAll(LARGE_LABEL);
  main.mark(`admin at ${LARGE_LABEL}`);
}

/**
 * The server's memory once everything above has run: 2 s after, and at rest.
 * @param {Results} R
 * @param {Main} main
 */
async function finalMemory(R, main) {
  await sleep(2000);
  const mem = m.memoryOf(main.server.pid);
  R.rssAfterMb = mem.rssMb;
  R.rssPeakMb = Math.max(mem.hwmMb || 0, ...main.rss.samples);
  await sleep((REST_SECONDS - 2) * 1000);
  R.rssRestAfterLoadMb = m.memoryOf(main.server.pid).rssMb;
  R.restAfterLoadParts = m.residentParts(main.server.pid);
}

module.exports = { startMain, requestPath, hashing, loginFlood, adminRoutes, finalMemory };
