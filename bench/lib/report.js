// @ts-check
'use strict';
/** The markdown report (bench/RESULTS.md): context, targets, measurements, levers, readings, notes. */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  ENV,
  ROOT,
  QUICK,
  D,
  CONNECTIONS,
  PROBE,
  SMALL,
  LARGE,
  LARGE_LABEL,
  IDLE_SECONDS,
  UV_THREADPOOL_SIZE,
  ADMIN_ROUTES,
  settings,
} = require('./settings');
const { redact } = require('./database');
const { describeAdminBody } = require('./measure');
const { targets, micro } = require('./targets');
const { readings } = require('./readings');
const { beforeAfter, profileSection } = require('./hand-written');
const { round, median } = require('./util');

/** @typedef {import('./types').Results} Results */
/** @typedef {import('./types').Combined} Combined */

/**
 * @param {string[]} headers
 * @param {unknown[][]} rows
 */
function table(headers, rows) {
  const esc = (/** @type {unknown} */ v) => String(v ?? '').replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** @param {import('./types').TargetRow[]} rows */
const targetTable = (rows) =>
  table(
    ['target', 'measured', 'ratio / value', 'verdict'],
    rows.map((r) => [r.target, r.measured, r.ratio, r.verdict]),
  );

function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return `${head}${dirty ? ` + uncommitted changes in src/ (${dirty.split('\n').length} files)` : ''}`;
  } catch {
    return 'unknown';
  }
}

function command() {
  return [
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
}

/**
 * "; at rest: glibc heap … MB, V8 and other anonymous memory … MB, files … MB", or nothing without a reading.
 * @param {string} label
 * @param {import('./types').ResidentParts | null | undefined} p
 */
const parts = (label, p) =>
  p
    ? `; ${label}: glibc heap ${round(p.cHeapMb, 0)} MB, V8 and other anonymous memory ${round(p.otherAnonMb, 0)} MB, ` +
      `files (node binary, libraries) ${round(p.fileMb, 0)} MB`
    : '';

/**
 * The measurements table's rows.
 * @param {Results} R
 * @returns {string[][]}
 */
function measurements(R) {
  /** @type {string[][]} */
  const detail = [];
  const lat = (/** @type {Combined} */ r) =>
    `${round(r.rps, 0)} req/s, p50 ${round(r.p50)} ms, p99 ${round(r.p99)} ms, server CPU ${micro(r.cpuPerRequestUs)} per request ` +
    `(rounds: ${r.rounds.map((x) => `${x.rps}/s p99 ${x.p99}`).join('; ')})`;
  const versions = Object.entries(R.bare.versions)
    .filter(([name]) => name !== 'reflect-metadata')
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  detail.push([
    `bare ceiling: a NestJS app with one JSON GET route (\`GET /api/health/live\`), Fastify adapter, nothing else (${versions}, the project's own packages), ${CONNECTIONS} connections`,
    lat(R.bareRun),
  ]);
  detail.push([`baseline \`GET ${R.baselineRoute}\`, ${CONNECTIONS} connections`, lat(R.baseline)]);
  detail.push([
    `\`GET /api/whoami\` (JWT + session/user query + touch), ${CONNECTIONS} connections, ${CONNECTIONS} sessions`,
    lat(R.whoami),
  ]);
  detail.push([`\`POST /api/login\` (correct password), ${settings.loginConnections} connections`, lat(R.login)]);
  detail.push([
    `raw argon2id verifies/s, ${settings.hashConcurrency} in flight, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`,
    `${round(R.raw.perSecond)}/s (rounds: ${R.raw.rounds.join(', ')})`,
  ]);
  detail.push([
    `\`POST /api/register\` (a new username and email per request), ${settings.loginConnections} connections`,
    lat(R.register),
  ]);
  detail.push([
    `raw argon2id hashes/s (a new salt each), ${settings.hashConcurrency} in flight, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE}`,
    `${round(R.rawHash.perSecond)}/s (rounds: ${R.rawHash.rounds.join(', ')})`,
  ]);
  const files = R.fileCreation;
  if (files && files.dataDir) {
    const cost = (/** @type {import('./types').FileCreationCost} */ c) =>
      `${round(c.fileUs, 0)} µs per file, ${round(c.folderUs, 0)} µs per folder`;
    detail.push([
      'CPU of making an empty file (open O_CREAT|O_EXCL, close) / a folder, synchronous, median of 3 × 150 (information)',
      `on DATA_DIR's filesystem ${cost(files.dataDir)}${files.tmpfs ? `; on tmpfs (/dev/shm) ${cost(files.tmpfs)}` : ''}`,
    ]);
  }
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
  /** @type {[string, import('./types').AdminSet | undefined][]} */
  const adminSets = [
    ['10k', R.admin.small],
    [LARGE_LABEL, R.admin.large],
    [`${LARGE_LABEL} + pg_trgm built by the bench (lever)`, R.admin.largeWithTrgm ? { list: R.admin.largeWithTrgm } : undefined],
  ];
  for (const [label, set] of adminSets) {
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
    `2 s after start-up ${round(R.rssStartMb, 0)} MB, at rest ${round(R.rssRestMb, 0)} MB, peak under ${CONNECTIONS} connections ${round(R.rssPeak50Mb, 0)} MB, ` +
      `2 s after the load ${round(R.rssAfterMb, 0)} MB, at rest after the load ${round(R.rssRestAfterLoadMb, 0)} MB, peak (VmHWM) ${round(R.rssPeakMb, 0)} MB` +
      `${parts('at rest', R.restParts)}${parts('at rest after the load', R.restAfterLoadParts)}`,
  ]);
  detail.push([
    'bare ceiling RSS',
    `at rest ${round(R.bare.rssRestMb, 0)} MB, peak (VmHWM, after its runs) ${round(R.bare.rssPeakMb, 0)} MB`,
  ]);
  if (R.memPhases) {
    detail.push([
      'server RSS / VmHWM (glibc heap) after each phase',
      R.memPhases
        .map(
          (m) =>
            `${m.label}: ${round(m.rssMb, 0)} / ${round(m.hwmMb, 0)} MB${typeof m.cHeapMb === 'number' ? ` (${round(m.cHeapMb, 0)})` : ''}`,
        )
        .join('; '),
    ]);
  }
  return detail;
}

/**
 * @param {Results} R
 * @param {Date} startedAt
 * @param {number} seconds
 * @returns {{ md: string, rows: import('./types').TargetRow[] }}
 */
function report(R, startedAt, seconds) {
  const cpus = os.cpus();
  const rows = targets(R);
  const adapterFile = path.join(ROOT, 'bench', 'adapter-results.json');
  const adapter = fs.existsSync(adapterFile) ? JSON.parse(fs.readFileSync(adapterFile, 'utf8')) : null;
  const imageEnv = Object.entries(settings.imageEnv).map(([k, v]) => `${k}=${v}`);

  const md = [];
  md.push('# Gatehouse benchmark results');
  md.push('');
  md.push('Every target is a ratio between figures measured in the same run on the same machine (shared and noisy:');
  md.push('absolute numbers move from run to run, the ratios much less). Written by `bench/run.js`; see `bench/README.md`.');
  md.push('');
  md.push(`- **Command:** \`${command()}\` (${round(seconds / 60, 1)} min, ${startedAt.toISOString()})`);
  md.push(
    `- **Machine:** ${cpus.length} × ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${round(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}, load average at start ${R.loadAtStart.map((x) => round(x, 2)).join(' / ')}`,
  );
  md.push(`- **Software:** Node ${process.version}, PostgreSQL ${R.pgVersion} — ${R.dbMode}; code at ${R.git}`);
  md.push(
    `- **Server:** \`node dist/main.js\` (built by the bench into a private folder), NODE_ENV=production, Fastify adapter; effective settings read with the app's own \`loadConfig\`: ` +
      `HASH_CONCURRENCY=${settings.hashConcurrency}, HASH_QUEUE_LIMIT=${settings.hashQueueLimit}, DATABASE_POOL_SIZE=${settings.poolSize}; ` +
      `UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE} (the raw argon2 measurement uses the same)` +
      `${imageEnv.length ? `, ${imageEnv.join(' ')} (as in the Dockerfile's runtime image)` : ''}, ` +
      `SESSION_IDLE_TIMEOUT_SECONDS=${IDLE_SECONDS} (touch interval ${settings.touchIntervalS} s, short on purpose so that coalescing is visible in a ${D}-s run), ` +
      `rate limits (login and registration) and lockout raised out of the way, ${R.argon2} (from \`${R.hasherSource}\`)`,
  );
  md.push(
    `- **Bare ceiling:** a NestJS app with one JSON GET route on the Fastify adapter and nothing else (\`bench/lib/bare.js\`), from the project's own installed packages, ` +
      'in its own process with the same environment, loaded with the same client and connections, alternated with the app’s routes in every round.',
  );
  if (R.loadSamples.length) {
    md.push(
      `- **Noise:** 1-minute load average during the run: median ${round(median(R.loadSamples), 1)}, max ${round(Math.max(...R.loadSamples), 1)} ` +
        `on ${cpus.length} cores (the bench itself — server, PostgreSQL, load client — accounts for about 2–3); other people's jobs share the machine`,
    );
  }
  md.push(
    `- **Load:** autocannon in a separate process, ${D} s per measured run, measured runs alternated (A B C A B C) after a warm-up; the login flood is an open-loop client (\`bench/lib/flood.js\`) so that the server cannot slow it down. ` +
      'Server CPU per request: utime + stime of the server process (all threads) from `/proc/<pid>/stat` over each run, divided by the requests answered.',
  );
  md.push('');
  md.push('## Targets');
  md.push('');
  md.push(targetTable(rows));
  md.push('');
  md.push(...beforeAfter(rows, table));
  md.push('## Measurements');
  md.push('');
  md.push(table(['run', 'result'], measurements(R)));
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
  md.push(...profileSection());
  return { md: md.join('\n'), rows };
}

module.exports = { report, table, targetTable, gitDescribe };
