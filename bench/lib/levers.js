// @ts-check
'use strict';
/**
 * The levers measured on the large database and on raw argon2: what each alternative design or
 * setting would change, measured in the same run (reported, not targets).
 */
const os = require('node:os');
const path = require('node:path');
const { Pool } = require('pg');
const { LARGE, LARGE_LABEL, SEARCH, D, UV_THREADPOOL_SIZE, count, settings } = require('./settings');
const { seedUsers, timeQuery, userRowTriggers } = require('./database');
const { login } = require('./server');
const { measureAdmin, rawArgon2 } = require('./measure');
const { log, round, mean, firstLine } = require('./util');

/** @typedef {import('./types').Results} Results */
/** @typedef {import('pg').Client} PgClient */

/**
 * A lever that fails is reported as failed; the targets are still written.
 * @param {Results} R
 * @param {string} label
 * @param {() => Promise<unknown>} fn
 */
async function lever(R, label, fn) {
  try {
    await fn();
  } catch (error) {
    log(`${label} failed: ${error instanceof Error ? error.stack : error}`);
    R.levers.push({ lever: label, value: `failed: ${firstLine(error)}` });
  }
}

/**
 * The session check's SQL from the bench process through a pg pool of the server's size: two
 * queries, the app's one JOIN, and the same JOIN as a prepared (named) statement.
 * @param {Results} R
 * @param {string} dbUrl
 */
async function sessionQueryLever(R, dbUrl) {
  const pool = new Pool({ connectionString: dbUrl, max: settings.poolSize });
  try {
    const sessions = (await pool.query(`SELECT id FROM sessions LIMIT 50`)).rows;
    const join = `SELECT s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.revoked_at,
              u.username, u.email, u.is_active, u.is_superuser
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1`;
    const plan = (await pool.query(`EXPLAIN (COSTS OFF) ${join.replace('$1', `'${sessions[0].id}'`)}`)).rows.map((r) =>
      r['QUERY PLAN'].trim(),
    );
    /** @type {Record<string, (id: string) => Promise<unknown>>} */
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
    /** @type {Record<string, number[]>} */
    const rates = {};
    for (let r = 0; r < 2; r++) {
      for (const [name, fn] of Object.entries(variants)) {
        let done = 0;
        const started = performance.now();
        const endAt = started + 2000;
        await Promise.all(
          Array.from({ length: 2 * settings.poolSize }, async (_, w) => {
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
      lever: `session + user lookup, SQL only (bench process, pg pool of ${settings.poolSize}, ${2 * settings.poolSize} in flight; plan: ${plan.join(' → ')})`,
      value: Object.entries(rates)
        .map(([name, xs]) => `${name}: ${round(mean(xs), 0)} checks/s`)
        .join('; '),
    });
  } finally {
    await pool.end();
  }
}

/**
 * @param {Results} R
 * @param {PgClient} db
 * @param {string} base
 * @param {string} dbUrl
 */
async function sqlLevers(R, db, base, dbUrl) {
  const L = R.levers;
  log(`levers: SQL at ${LARGE_LABEL} users`);
  await sessionQueryLever(R, dbUrl);
  /** @type {{ indexname: string, indexdef: string }[]} */
  const indexes = (await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users'`)).rows;
  R.userIndexes = indexes.map((i) => i.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, (x) => x.replace('CREATE ', '')));

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
  const triggers = (await userRowTriggers(db)).filter((t) => /^TRG_users_counts/.test(t));
  if (triggers.length) {
    /**
     * @param {number} n
     * @param {boolean} disable
     */
    const insertMs = async (n, disable) => {
      await db.query('BEGIN');
      try {
        if (disable) for (const t of triggers) await db.query(`ALTER TABLE users DISABLE TRIGGER "${t}"`);
        const started = performance.now();
        await seedUsers(db, 2_000_001, 2_000_000 + n, '$argon2id$bench');
        return performance.now() - started;
      } finally {
        await db.query('ROLLBACK');
      }
    };
    const sizes = [5000, 10000, 20000];
    /** @type {number[]} */
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

  await trigramLever(R, db, base, indexes);
}

/**
 * The admin list's two statements for q=SEARCH as the server under test builds them (its own
 * search condition, which its index must match).
 * @returns {[string, unknown[]][]}
 */
function searchStatements() {
  /** @type {{ listStatements: (query: object) => Record<'page' | 'counts', { text: string, values: unknown[] }> }} */
  const sql = require(path.join(path.dirname(settings.serverMain), 'users', 'users.repository.sql.js'));
  const { page, counts } = sql.listStatements({ q: SEARCH, sort: 'created_at', descending: false, limit: 100 });
  return [
    [page.text, page.values],
    [counts.text, counts.values],
  ];
}

/**
 * pg_trgm GIN indexes for the substring search: the app's two list queries, with the indexes and
 * without them (dropped inside a transaction that is rolled back: nothing changes for the app).
 * @param {Results} R
 * @param {PgClient} db
 * @param {string} base
 * @param {{ indexname: string, indexdef: string }[]} indexes
 */
async function trigramLever(R, db, base, indexes) {
  const L = R.levers;
  const listSql = searchStatements();
  const listMs = async () => {
    let total = 0;
    for (const [text, values] of listSql) total += await timeQuery(db, text, values);
    return total;
  };
  /** @type {{ indexname: string }[]} */
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

/**
 * Raw argon2 against concurrency, thread-pool size and glibc's malloc settings.
 * @param {Results} R
 * @param {string} hash
 */
async function hashingLevers(R, hash) {
  log('levers: raw argon2 vs concurrency and thread-pool size');
  const configs = [
    [1, 4],
    [2, 4],
    [4, 4],
    [8, 8],
    [4, 2],
  ];
  /** @type {number[][]} */
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
  const imageEnv = Object.entries(settings.imageEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  R.levers.push({
    lever: `hashing concurrency and UV_THREADPOOL_SIZE: raw argon2id verifies/s in a child process (${os.cpus().length} cores${imageEnv ? `, ${imageEnv}` : ''})`,
    value: rows.join('; '),
  });

  // glibc: how the 19 MiB blocks are allocated changes both the memory kept and the cost of a hash
  /** @type {[string, import('./types').EnvOverrides][]} */
  const mallocs = [
    ['glibc defaults', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: null }],
    ['MALLOC_MMAP_THRESHOLD_=131072', { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: null }],
    ['MALLOC_ARENA_MAX=1', { MALLOC_MMAP_THRESHOLD_: null, MALLOC_ARENA_MAX: '1' }],
  ];
  /** @type {import('./types').RawArgon2Run[][]} */
  const results = mallocs.map(() => []);
  for (const pass of [0, 1]) {
    const order = pass ? [...mallocs.keys()].reverse() : [...mallocs.keys()];
    for (const i of order) results[i].push(await rawArgon2(settings.hashConcurrency, 3, hash, UV_THREADPOOL_SIZE, mallocs[i][1]));
  }
  const rateOf = (/** @type {number} */ i) => mean(results[i].map((r) => r.perSecond));
  R.levers.push({
    rates: { defaults: rateOf(0), mmap: rateOf(1), arena: rateOf(2) },
    lever: `glibc malloc settings: raw argon2id at ${settings.hashConcurrency} in flight, pool ${UV_THREADPOOL_SIZE} (peak RSS of that process, which holds nothing else)`,
    value: mallocs
      .map(
        ([label], i) =>
          `${label}: ${round(mean(results[i].map((r) => r.perSecond)))}/s, peak ${round(Math.max(...results[i].map((r) => r.hwmMb)), 0)} MB`,
      )
      .join('; '),
  });
}

module.exports = { lever, sqlLevers, hashingLevers };
