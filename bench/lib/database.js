// @ts-check
'use strict';
/** Databases for the bench: create and drop them, seed users, read statistics, time queries. */
const crypto = require('node:crypto');
const { Client } = require('pg');
const { sleep, median } = require('./util');

/** @typedef {import('pg').Client} PgClient */

/**
 * @param {string} url
 * @param {string} database
 */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** @param {string} url */
function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * One statement on its own connection.
 * @param {string} url
 * @param {string} text
 * @param {unknown[]} [params]
 */
async function sql(url, text, params = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A fresh name for a database of the bench. */
const benchDatabaseName = () => `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;

/**
 * @param {string} adminUrl
 * @param {string} name
 * @returns {Promise<string>} the new database's URL
 */
async function createDatabase(adminUrl, name) {
  await sql(adminUrl, `CREATE DATABASE "${name}"`);
  return withDatabase(adminUrl, name);
}

/**
 * @param {string} adminUrl
 * @param {string} name
 */
async function dropDatabase(adminUrl, name) {
  await sql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * Users from..to in ONE `INSERT … SELECT generate_series` (never through the API). usernames
 * user0000001…; 1 in 20 pending, 1 in 20 rejected, 1 in 20 approved but deactivated, 1 in 10,000
 * superuser; created_at one second apart in the past; all share one real argon2id hash.
 * @param {PgClient} db
 * @param {number} from
 * @param {number} to
 * @param {string} hash
 * @returns {Promise<number>} seconds
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

/**
 * The i-th seeded user who may log in (approved, active, not a superuser).
 * @param {number} i
 */
function activeUser(i) {
  const n = Math.floor(i / 16) * 20 + 4 + (i % 16); // n % 20 in 4..19
  return `user${String(n).padStart(7, '0')}`;
}

/**
 * Usernames of `count` seeded users who may log in, from the `from`-th on.
 * @param {number} from
 * @param {number} count
 */
const activeUsers = (from, count) => Array.from({ length: count }, (_, i) => activeUser(from + i));

/**
 * @param {PgClient} db
 * @returns {Promise<string[]>}
 */
async function userRowTriggers(db) {
  const { rows } = await db.query(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal ORDER BY tgname`,
  );
  return rows.map((r) => r.tgname);
}

/**
 * The app's trigger-kept counts (UserCounts migration), recomputed exactly; false when absent.
 * @param {PgClient} db
 */
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

/**
 * @param {PgClient} db
 * @returns {Promise<number>}
 */
async function sessionUpdates(db) {
  const { rows } = await db.query(`SELECT n_tup_upd::int AS upd FROM pg_stat_user_tables WHERE relname = 'sessions'`);
  return rows[0] ? rows[0].upd : 0;
}

/**
 * Backends flush their table statistics at most once a second while busy and within 10 s once
 * idle: wait that long after the last write, then until two reads agree.
 * @param {PgClient} db
 * @param {number} sinceMs
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

/**
 * Median milliseconds of `reps` runs of one query.
 * @param {PgClient} db
 * @param {string} text
 * @param {unknown[]} [params]
 * @param {number} [reps]
 */
async function timeQuery(db, text, params = [], reps = 3) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await db.query(text, params);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * A connected client; the caller ends it.
 * @param {string} url
 */
async function connect(url) {
  const db = new Client({ connectionString: url });
  await db.connect();
  return db;
}

module.exports = {
  withDatabase,
  redact,
  sql,
  connect,
  benchDatabaseName,
  createDatabase,
  dropDatabase,
  seedUsers,
  activeUser,
  activeUsers,
  userRowTriggers,
  recomputeUserCounts,
  sessionUpdates,
  settledSessionUpdates,
  timeQuery,
};
