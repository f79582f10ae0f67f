// @ts-check
'use strict';
/** What the run says about each missed target, from its own figures. */
const os = require('node:os');
const { CONNECTIONS, LARGE_LABEL, SEARCH, SEARCH_SELECTIVE, settings } = require('./settings');
const { micro, percentOf, restRss } = require('./targets');
const { round } = require('./util');

/** @typedef {import('./types').Results} Results */

/**
 * What the user's storage tree and the mail's file cost in kernel CPU per registration on this
 * machine's disk, against tmpfs: 8 folders (the user's, 7 inside) and 6 files (5 registries, the
 * mail's `.eml`), as src/user-storage/user-storage.service.ts and src/mail/mail-transport.ts make them.
 * @param {Results} R
 */
function treeCost(R) {
  const files = R.fileCreation;
  if (!files || !files.dataDir) return '';
  const perRegistration = (/** @type {import('./types').FileCreationCost} */ c) => (6 * c.fileUs + 8 * c.folderUs) / 1000;
  const disk = perRegistration(files.dataDir);
  const hashMs = 1000 / R.rawHash.perSecond;
  return (
    ` The storage tree and the mail's file (6 files, 8 folders) cost about ${round(disk, 1)} ms of CPU per registration on DATA_DIR's filesystem here ` +
    `(${round(files.dataDir.fileUs, 0)} µs per file)${files.tmpfs ? `, ${round(perRegistration(files.tmpfs), 2)} ms on tmpfs` : ''}, beside ${round(hashMs, 1)} ms per raw hash.`
  );
}

/**
 * @param {Results} R
 * @returns {string[]}
 */
function readings(R) {
  /** @type {string[]} */
  const out = [];
  const leverValue = (/** @type {string} */ prefix) => (R.levers.find((l) => l.lever.startsWith(prefix)) || { value: '' }).value;
  const threads = settings.hashConcurrency;
  const threadWords = `${threads} hashing thread${threads === 1 ? '' : 's'}`;
  if (R.ratios.whoamiRps < 0.6 || R.ratios.whoamiP99 > 3) {
    const sq = leverValue('session + user lookup');
    out.push(
      `**/whoami vs baseline** (${round(100 * R.ratios.whoamiRps, 0)} %): the baseline answers from memory; \`/whoami\` adds a JWT check, a database round trip ` +
        `(the session + user JOIN, by primary keys) and a touch every ${settings.touchIntervalS} s per session, and PostgreSQL shares the same 2 cores. ` +
        (sq ? `The lookup alone, from the bench through a pg pool: ${sq}. ` : '') +
        (leverValue('database pool size') ? 'Pool sizes 2 / 10 / 30 compared in the lever rows.' : ''),
    );
  }
  const bare = R.bareRun;
  if (R.ratios.trivialVsBare < 0.6 || R.ratios.whoamiVsBare < 0.45 || R.ratios.whoamiP99VsBare > 3) {
    out.push(
      `**request path vs the bare ceiling** (trivial route ${round(100 * R.ratios.trivialVsBare, 0)} %, \`/whoami\` ${round(100 * R.ratios.whoamiVsBare, 0)} % of ` +
        `${round(bare.rps, 0)} req/s; \`/whoami\` p99 ${round(R.ratios.whoamiP99VsBare, 1)}× the bare p99): server CPU per request is ` +
        `${micro(bare.cpuPerRequestUs)} for the bare app, ${micro(R.baseline.cpuPerRequestUs)} for the trivial route and ${micro(R.whoami.cpuPerRequestUs)} for \`/whoami\`. ` +
        'The difference between the bare app and the trivial route is what every request of the app runs besides its handler: the helmet headers, ' +
        'the request-id and metrics/access-log hooks (onRequest, onResponse), the global JWT guard (which reads the route’s ' +
        '`@Public` metadata), the validation pipe and the exception filter. The load client runs on the same ' +
        `${os.cpus().length} cores: at the bare app's rate it takes a large share of them, so the bare figure is the ceiling of this machine with this client, ` +
        'and the CPU per request is the figure that compares the servers themselves.',
    );
  }
  if (R.whoami.cpuPerRequestUs !== null && R.whoami.cpuPerRequestUs > 200) {
    out.push(
      `**server CPU per /whoami** (${micro(R.whoami.cpuPerRequestUs)}; the trivial route ${micro(R.baseline.cpuPerRequestUs)}): utime + stime of the server process ` +
        '(every thread) from /proc/<pid>/stat over each run, divided by the requests answered. Beyond the trivial route, `/whoami` checks the JWT (its signature once per token), ' +
        'runs the session + user query (one prepared statement on the pg pool: a round trip and the row parsed), maps the answer, and touches the session once per ' +
        'interval; PostgreSQL’s own CPU for the query is not counted here.',
    );
  }
  if (R.ratios.login < 0.9) {
    out.push(
      `**/login vs raw argon2** (${percentOf(R.ratios.login, 0.9)}): a login is a verify plus the user lookup, a transaction with two INSERTs (session, audit) and a commit, ` +
        `and signing the JWT; the ${threadWords} share${threads === 1 ? 's' : ''} the 2 cores with that work, the event loop, PostgreSQL and the load client, while the raw measurement had the cores to itself. ` +
        `Per round: ${R.raw.rounds.map((raw, i) => `${R.login.rounds[i] ? R.login.rounds[i].rps : '?'} / ${raw}`).join(', ')} logins / verifies per s.`,
    );
  }
  if (R.ratios.register < 0.9) {
    out.push(
      `**registration vs raw argon2** (${percentOf(R.ratios.register, 0.9)}): a registration is a new hash plus the duplicate check, a transaction (the INSERT ` +
        '… RETURNING, which also updates the trigger-kept `user_counts` row, the audit row, the mail’s outbox row and job), the user’s storage folders and files on disk, ' +
        'and the “registration received” mail’s delivery right after (rendered by nodemailer, written as an `.eml`, its row read and marked sent, the job fetched and completed in batches), ' +
        'the largest part a login does not have; ' +
        `the ${threadWords} share${threads === 1 ? 's' : ''} the cores with it, and the hash itself runs slower for it (bench/PROFILE.md). Per round: ` +
        `${R.rawHash.rounds.map((raw, i) => `${R.register.rounds[i] ? R.register.rounds[i].rps : '?'} / ${raw}`).join(', ')} registrations / hashes per s; ` +
        `server CPU ${micro(R.register.cpuPerRequestUs)} per registration.${treeCost(R)}`,
    );
  }
  const f = R.flood;
  const floodFlag = (f.loud.requests === 0 ? Infinity : f.loud.latency.p99) / Math.max(1, f.quietP99) > 3;
  if (floodFlag) {
    const fl = leverValue('login flood');
    out.push(
      `**login flood**: the hashing queue is bounded (${settings.hashQueueLimit}), but ${f.result.maxInFlight} requests were in flight at most: they wait *before* the queue, ` +
        `for the event loop, which shares ${os.cpus().length} cores with ${threadWords}, PostgreSQL and the load clients, and every refused login still pays the body parsing, validation and ` +
        `the user lookup (the queue is checked inside \`verify\`, after \`findByLogin\`). Levers: ${threads >= os.cpus().length ? 'HASH_CONCURRENCY below the core count, and ' : ''}refusing before the lookup. ` +
        (fl ? `Same flood on other settings: ${fl.split('<br>').slice(1).join('; ')}.` : ''),
    );
  }
  const large = R.admin.large;
  if (large && !large.list.missing && !large.list.failed) {
    const listP50 = large.list.p50 ?? 0;
    const growth = listP50 / Math.max(1, R.admin.small.list.p50 ?? 0);
    if (listP50 > 50 || growth > 3) {
      const sel = large.selective && !large.selective.missing ? `${large.selective.p50} ms` : 'not measured';
      out.push(
        `**admin list search** (${listP50} ms at ${LARGE_LABEL}, ${round(growth, 1)}× the 10k figure): the page and the counts are two queries, and each does the same BitmapOr ` +
          `over the three trigram indexes; every seeded username begins with "user0", so each trigram of "${SEARCH}" matches most of the ${LARGE_LABEL} rows and the index scans ` +
          `grow with the table (a selective search, q=${SEARCH_SELECTIVE}: ${sel}). Levers: one scan for the page and the counts, and minimum search lengths.`,
      );
    }
  }
  if (large && !large.stats.missing && !large.stats.failed) {
    const statsP50 = large.stats.p50 ?? 0;
    if (statsP50 > 50 || statsP50 > 3 * Math.max(1, R.admin.small.stats.p50 ?? 0)) {
      out.push(
        `**admin stats** (${statsP50} ms at ${LARGE_LABEL}, ${R.admin.small.stats.p50} ms at 10k)${leverValue('stats at') ? `; SQL alone: ${leverValue('stats at')}` : ''}. ` +
          `Any count over the table grows with it; ≤ 50 ms at ${LARGE_LABEL} needs counts that are kept, not recomputed.`,
      );
    }
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
  const rest = restRss(R);
  const restMiss = rest !== null && rest > 120;
  const peak50Miss = R.rssPeak50Mb !== null && R.rssPeak50Mb > 200;
  if (R.rssPeakMb > 200 || restMiss || peak50Miss) {
    const mem = leverValue('server RSS');
    const malloc = leverValue('glibc malloc');
    // which phase (after start-up) raised the peak most
    /** @type {{ label: string, jump: number } | null} */
    let peakPhase = null;
    const phases = R.memPhases || [];
    for (let i = 1; i < phases.length; i++) {
      const jump = (phases[i].hwmMb || 0) - (phases[i - 1].hwmMb || 0);
      if (jump > 0 && (!peakPhase || jump > peakPhase.jump)) peakPhase = { label: phases[i].label, jump };
    }
    out.push(
      `**RSS** (rest ${round(rest, 0)} MB, peak under ${CONNECTIONS} connections ${round(R.rssPeak50Mb, 0)} MB, peak overall ${round(R.rssPeakMb, 0)} MB` +
        `${peakPhase ? `; the peak rose most, by ${round(peakPhase.jump, 0)} MB, during "${peakPhase.label}"` : ''}; the bare NestJS + Fastify app: ` +
        `rest ${round(R.bare.rssRestMb, 0)} MB, peak ${round(R.bare.rssPeakMb, 0)} MB): at rest the difference is the app's own code, the modules it loads ` +
        `and what it builds at start-up; under load, two things grow it: V8's heap, which under ${CONNECTIONS} connections fills with garbage for a long while before a full collection (the old-space limit ` +
        `is sized from the machine's RAM), and argon2id's 19 MiB native block per hash (${threads} at once), which glibc by default keeps in per-thread arenas. ` +
        `${malloc ? `Raw hashing under three malloc settings: ${malloc}. ` : ''}${mem ? `Servers: ${mem.split('<br>').join('; ')}.` : ''}`,
    );
  }
  return out;
}

module.exports = { readings };
