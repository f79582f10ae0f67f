// @ts-check
'use strict';
/**
 * Measuring: the load clients and raw argon2 in their own processes (`load.js`, `flood.js`,
 * `argon2-raw.js`), the server's memory and CPU time from /proc, and folding the runs of a route.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ENV, ROOT, PASSWORD, UV_THREADPOOL_SIZE, settings } = require('./settings');
const { api } = require('./server');
const { round, mean } = require('./util');

/** @typedef {import('./types').LoadOptions} LoadOptions */
/** @typedef {import('./types').LoadRun} LoadRun */
/** @typedef {import('./types').MeasuredRun} MeasuredRun */
/** @typedef {import('./types').EnvOverrides} EnvOverrides */

/**
 * Runs bench/lib/<script> with a JSON argument in its own process; resolves its JSON answer.
 * @template T
 * @param {string} script
 * @param {object} options
 * @param {EnvOverrides} [extraEnv] a null removes the variable
 * @returns {Promise<T>}
 */
function runChild(script, options, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    /** @type {Record<string, string>} */
    const env = {};
    for (const [key, value] of Object.entries({ ...ENV, ...extraEnv }))
      if (value !== null && value !== undefined) env[key] = value;
    const child = spawn(process.execPath, [path.join(__dirname, script), JSON.stringify(options)], {
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
        resolve(JSON.parse(out.trim().split('\n').pop() || ''));
      } catch {
        reject(new Error(`${script}: unreadable output: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

/**
 * One autocannon run in its own process.
 * @param {LoadOptions} options
 * @returns {Promise<LoadRun>}
 */
const load = (options) => runChild('load.js', options);

/**
 * @param {{ url: string, rate: number, duration: number, bodies: string[], timeoutMs?: number }} options
 * @returns {Promise<import('./types').FloodRun>}
 */
const flood = (options) => runChild('flood.js', options);

/**
 * Raw argon2 in a child process with the server's thread-pool size and malloc settings (the
 * image's MALLOC_* variables change what a hash costs): the same ceiling the server hashes under.
 * @param {{ mode: 'verify', hash: string } | { mode: 'hash', params: import('./types').Argon2Parameters }} what
 * @param {number} concurrency
 * @param {number} duration seconds
 * @param {number} [threadpool]
 * @param {EnvOverrides} [envOverrides]
 * @returns {Promise<import('./types').RawArgon2Run>}
 */
function rawArgon2Run(what, concurrency, duration, threadpool = UV_THREADPOOL_SIZE, envOverrides = {}) {
  const env = { ...settings.imageEnv, ...ENV, UV_THREADPOOL_SIZE: String(threadpool), ...envOverrides };
  return runChild('argon2-raw.js', { ...what, concurrency, duration, password: PASSWORD }, env);
}

/**
 * Raw verifies/s of one hash.
 * @param {number} concurrency
 * @param {number} duration seconds
 * @param {string} hash
 * @param {number} [threadpool]
 * @param {EnvOverrides} [envOverrides]
 */
const rawArgon2 = (concurrency, duration, hash, threadpool = UV_THREADPOOL_SIZE, envOverrides = {}) =>
  rawArgon2Run({ mode: 'verify', hash }, concurrency, duration, threadpool, envOverrides);

/**
 * Raw new hashes/s (a fresh salt each) with the given parameters.
 * @param {number} concurrency
 * @param {number} duration seconds
 * @param {import('./types').Argon2Parameters} params
 */
const rawArgon2Hashes = (concurrency, duration, params) => rawArgon2Run({ mode: 'hash', params }, concurrency, duration);

// ---------------------------------------------------------------- /proc

/**
 * @param {number} pid
 * @returns {import('./types').Memory}
 */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    /** @param {string} key */
    const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status) || [])[1] || 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: null, hwmMb: null };
  }
}

/**
 * Where a process's resident memory is: glibc's main heap (`[heap]`, where MALLOC_ARENA_MAX=1 puts
 * every malloc, argon2's blocks included), other anonymous mappings (V8's heap, thread stacks) and
 * files (the node binary, libraries), in MB, from `/proc/<pid>/smaps`.
 * @param {number} pid
 * @returns {{ cHeapMb: number, otherAnonMb: number, fileMb: number } | null}
 */
function residentParts(pid) {
  try {
    let name = '';
    let cHeap = 0;
    let anon = 0;
    let file = 0;
    for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) name = line.split(/\s+/)[5] || '';
      else if (line.startsWith('Rss:')) {
        const kb = Number(line.split(/\s+/)[1]);
        if (name === '[heap]') cHeap += kb;
        else if (name === '' || name.startsWith('[')) anon += kb;
        else file += kb;
      }
    }
    return { cHeapMb: cHeap / 1024, otherAnonMb: anon / 1024, fileMb: file / 1024 };
  } catch {
    return null;
  }
}

/** @type {number | undefined} */
let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system, every thread: the event loop, libuv's pool doing argon2, V8's
 * helpers) the process has used so far; null when it cannot be read.
 * @param {number} pid
 * @returns {number | null}
 */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces: count the fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]); // field 14
    const stime = Number(fields[12]); // field 15
    return (utime + stime) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * A load run, with the CPU time process `pid` spent during it divided by the requests it answered.
 * @param {number} pid
 * @param {LoadOptions} options
 * @returns {Promise<MeasuredRun>}
 */
async function measuredLoad(pid, options) {
  const before = cpuSecondsOf(pid);
  const run = await load(options);
  const after = cpuSecondsOf(pid);
  const cpuSeconds = before === null || after === null ? null : after - before;
  return { ...run, cpuSeconds, cpuPerRequestUs: cpuSeconds === null || !run.requests ? null : (1e6 * cpuSeconds) / run.requests };
}

/**
 * Samples the RSS of a process every 250 ms (between two reads of VmHWM the peak is exact; the
 * samples also catch the peak when the process is gone).
 * @param {number} pid
 */
function rssSampler(pid) {
  /** @type {number[]} */
  const samples = [];
  const timer = setInterval(() => {
    const m = memoryOf(pid);
    if (m.rssMb) samples.push(m.rssMb);
  }, 250);
  return { samples, stop: () => clearInterval(timer) };
}

/**
 * The peak RSS of a process within a window of time, without resetting its VmHWM: when VmHWM rose
 * during the window, the new peak was reached in it (exact); otherwise the highest 250-ms sample.
 * @param {number} pid
 * @param {{ samples: number[] }} sampler
 */
function peakWindow(pid, sampler) {
  const hwmBefore = memoryOf(pid).hwmMb || 0;
  const from = sampler.samples.length;
  return () => {
    const hwmAfter = memoryOf(pid).hwmMb || 0;
    return hwmAfter > hwmBefore ? hwmAfter : Math.max(0, ...sampler.samples.slice(from));
  };
}

// ---------------------------------------------------------------- runs

/**
 * Notes a run that answered something other than 2xx (or the allowed codes), or nothing.
 * @param {string} label
 * @param {LoadRun} run
 * @param {string[]} notes
 * @param {string[]} [allowed]
 */
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

/**
 * Successful answers (2xx) per second: a login refused with 503 LOGIN_BUSY is not a login.
 * @param {LoadRun} run
 */
function successRate(run) {
  return run.seconds > 0 ? run.ok2xx / run.seconds : 0;
}

/**
 * The runs of one route, folded: mean rate and latencies, the rounds, and the server CPU per request.
 * `successesOnly`: the rates count 2xx answers only (logins and registrations).
 * @param {(LoadRun & { cpuSeconds?: number | null })[]} runs
 * @param {{ successesOnly?: boolean }} [options]
 * @returns {import('./types').Combined}
 */
function combine(runs, options = {}) {
  const rate = options.successesOnly ? successRate : (/** @type {LoadRun} */ r) => r.rps;
  const sampled = runs.every((r) => r.cpuSeconds !== null && r.cpuSeconds !== undefined);
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const cpu = runs.reduce((a, r) => a + (r.cpuSeconds || 0), 0);
  return {
    rps: mean(runs.map(rate)),
    p50: mean(runs.map((r) => r.latency.p50)),
    p99: mean(runs.map((r) => r.latency.p99)),
    requests,
    ok2xx: runs.reduce((a, r) => a + r.ok2xx, 0),
    rounds: runs.map((r) => ({ rps: round(rate(r)), p50: r.latency.p50, p99: r.latency.p99 })),
    cpuPerRequestUs: sampled && requests ? (1e6 * cpu) / requests : null,
  };
}

/**
 * Median latency of one admin route, one connection (sequential requests).
 * @param {string} base
 * @param {string} route
 * @param {string} token
 * @param {number} duration
 * @param {string[]} notes
 * @param {string} label
 * @returns {Promise<import('./types').AdminMeasure>}
 */
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

/** @param {unknown} body */
function describeAdminBody(body) {
  if (!body || typeof body !== 'object') return '';
  const b = /** @type {{ users?: unknown[], total?: number, total_users?: number }} */ (body);
  if (Array.isArray(b.users)) return `${b.users.length} rows, total ${b.total}`;
  if (b.total_users !== undefined) return `total_users ${b.total_users}`;
  return '';
}

/**
 * CPU (user + system, this process) of making one empty file (open with O_CREAT|O_EXCL, close) and
 * one folder in a fresh folder under `parent`: what the filesystem of the server's DATA_DIR charges
 * for each file and folder of a user's storage tree and for each mail's `.eml` file. Synchronous
 * calls, `count` of each, the median of three batches; null where `parent` cannot be written.
 * @param {string} parent
 * @param {number} [count]
 * @returns {{ fileUs: number, folderUs: number } | null}
 */
function fileCreationCost(parent, count = 150) {
  let dir;
  try {
    dir = fs.mkdtempSync(path.join(parent, 'gatehouse-bench-files-'));
  } catch {
    return null;
  }
  try {
    /** @param {(name: string) => void} make */
    const perCall = (make) => {
      /** @type {number[]} */
      const batches = [];
      for (let b = 0; b < 3; b++) {
        const start = process.cpuUsage();
        for (let i = 0; i < count; i++) make(path.join(dir, `${b}-${i}`));
        const used = process.cpuUsage(start);
        batches.push((used.user + used.system) / count);
      }
      return batches.sort((x, y) => x - y)[1];
    };
    const fileUs = perCall((name) => fs.closeSync(fs.openSync(`${name}.json`, 'wx', 0o600)));
    const folderUs = perCall((name) => fs.mkdirSync(name, { mode: 0o700 }));
    return { fileUs, folderUs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = {
  fileCreationCost,
  residentParts,
  runChild,
  load,
  flood,
  rawArgon2,
  rawArgon2Hashes,
  memoryOf,
  cpuSecondsOf,
  measuredLoad,
  rssSampler,
  peakWindow,
  checkRun,
  combine,
  successRate,
  measureAdmin,
  describeAdminBody,
};
