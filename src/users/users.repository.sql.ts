import type { PreparedStatement } from '../database/prepared';
import type { ImportedUserRow, NewUserRow, PendingQuery, SortField, UserListQuery } from './users.repository.types';

/** The users repository's longer statements, kept apart so that the repository reads as a list of operations. */

/** The session named by a token, with its owner, in one indexed query (the hot path of every request). */
export const SESSION_WITH_OWNER: PreparedStatement = {
  name: 'gatehouse_session_check',
  text: `SELECT s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.revoked_at,
       u.username, u.email, u.is_active, u.is_superuser
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.id = $1`,
};

/** Before a new user's hash: is either identity key held, and does any user exist yet (the first-user rule)? */
export const CREATION_CHECK: PreparedStatement = {
  name: 'gatehouse_creation_check',
  text: `SELECT EXISTS (SELECT 1 FROM user_identifiers i JOIN users u ON u.id = i.user_id WHERE i.key IN ($1, $2)) AS taken,
       EXISTS (SELECT 1 FROM users) AS populated`,
};

/**
 * Every column of the User entity, by name, as the statements that read a whole user return them:
 * never `*`, since a prepared statement whose result changes shape fails, and a newer instance may
 * add a column while this one runs (a rolling upgrade). A unit test holds the list to the entity.
 */
export const USER_COLUMNS = `id, email, username, username_key, email_key, hashed_password, is_active, is_superuser, is_verified,
       is_approved, approval_status, approval_note, institution, approved_by, approved_at, rejection_reason,
       failed_login_count, failure_window_started_at, locked_until, admin_notified_at, created_at, updated_at`;

/** A new user (registration, an admin's creation): every column a new row sets, the rest by default. */
export const INSERT_USER: PreparedStatement = {
  name: 'gatehouse_user_insert',
  text: `INSERT INTO users (email, username, username_key, email_key, hashed_password, is_active, is_superuser, is_verified,
                     is_approved, approval_status, approval_note, institution, approved_by, approved_at, rejection_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING ${USER_COLUMNS}`,
};

/**
 * The account a login identifier names (every login): its username key ($1) or its email key ($2,
 * null when the identifier cannot be an address); a username match wins over an email match.
 */
export const USER_BY_LOGIN: PreparedStatement = {
  name: 'gatehouse_user_by_login',
  text: `SELECT ${USER_COLUMNS}
           FROM users
          WHERE username_key = $1 OR email_key = $2
          ORDER BY (username_key = $1) DESC
          LIMIT 1`,
};

/** This (account, address) pair's failure record (every login, read while the password is checked). */
export const ADDRESS_FAILURES: PreparedStatement = {
  name: 'gatehouse_address_failures',
  text: 'SELECT locked_until FROM login_failures WHERE user_id = $1 AND address = $2',
};

/** INSERT_USER's parameters, in its order. */
export const newUserValues = (row: NewUserRow): unknown[] => [
  row.email,
  row.username,
  row.usernameKey,
  row.emailKey,
  row.hashedPassword,
  row.isActive,
  row.isSuperuser,
  row.isVerified,
  row.isApproved,
  row.approvalStatus,
  row.approvalNote,
  row.institution,
  row.approvedBy,
  row.approvedAt,
  row.rejectionReason,
];

/** The legacy import's insert: keeps the given id and hash; nothing when the id exists. */
export const INSERT_IMPORTED = `INSERT INTO users (id, email, username, hashed_password, is_active, is_superuser, is_verified, is_approved,
                          approval_status, approval_note, institution, approved_by, approved_at, created_at, updated_at,
                          username_key, email_key)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10, $11, $12::timestamptz, COALESCE($13::timestamptz, now()), now(),
               $14, $15)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`;

/** INSERT_IMPORTED's parameters, in its order. */
export function importedValues(user: ImportedUserRow): unknown[] {
  return [
    user.id,
    user.email,
    user.username,
    user.hashedPassword,
    user.isActive,
    user.isSuperuser,
    user.isApproved,
    user.approvalStatus,
    user.approvalNote,
    user.institution,
    user.approvedBy,
    user.approvedAt,
    user.createdAt,
    user.usernameKey,
    user.emailKey,
  ];
}

/** The account-wide lockout counters back to zero; a row only when there was something to clear. */
export const CLEAR_ACCOUNT_LOCKOUT = `UPDATE users SET failed_login_count = 0, failure_window_started_at = NULL, locked_until = NULL
 WHERE id = $1 AND (failed_login_count <> 0 OR locked_until IS NOT NULL OR failure_window_started_at IS NOT NULL)`;

/**
 * One failed login, counted per (account, address) and per account. $1 user id, $2 address key,
 * $3 now, $4 per-address threshold, $5 account threshold, $6 lock end, $7 window start. Rows of
 * other addresses whose failures are older than the window (and not locked) are removed.
 */
export const RECORD_LOGIN_FAILURE = `WITH per_address AS (
         INSERT INTO login_failures AS f (user_id, address, failures, last_failure_at, locked_until)
         VALUES ($1, $2, 1, $3, CASE WHEN 1 >= $4 THEN $6::timestamptz END)
         ON CONFLICT (user_id, address) DO UPDATE SET
           failures = CASE WHEN f.locked_until > $3 THEN f.failures
                           WHEN f.locked_until IS NOT NULL THEN 1
                           ELSE f.failures + 1 END,
           locked_until = CASE WHEN f.locked_until > $3 THEN f.locked_until
                               WHEN (CASE WHEN f.locked_until IS NOT NULL THEN 1 ELSE f.failures + 1 END) >= $4 THEN $6::timestamptz
                               ELSE NULL END,
           last_failure_at = $3
         RETURNING 1
       ), stale AS (
         DELETE FROM login_failures
          WHERE user_id = $1 AND address <> $2 AND last_failure_at < $7 AND (locked_until IS NULL OR locked_until < $3)
       )
       UPDATE users SET
         failed_login_count = CASE WHEN locked_until > $3 THEN failed_login_count
                                   WHEN failure_window_started_at IS NULL OR failure_window_started_at <= $7 THEN 1
                                   ELSE failed_login_count + 1 END,
         failure_window_started_at = CASE WHEN locked_until > $3 THEN failure_window_started_at
                                          WHEN failure_window_started_at IS NULL OR failure_window_started_at <= $7 THEN $3
                                          ELSE failure_window_started_at END,
         locked_until = CASE WHEN locked_until > $3 THEN locked_until
                             WHEN (CASE WHEN failure_window_started_at IS NULL OR failure_window_started_at <= $7 THEN 1
                                        ELSE failed_login_count + 1 END) >= $5 THEN $6::timestamptz
                             ELSE NULL END
       WHERE id = $1`;

const SORT_COLUMN: Record<SortField, string> = { created_at: 'created_at', username: 'username', email: 'email' };

/** LIKE patterns take the search text literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Joins the searched fields: U+001F, the unit separator (see SEARCH_TEXT). */
const SEPARATOR = '\x1f';

/**
 * Username, email and institution as one lower-cased text, joined by SEPARATOR: the expression of
 * the search's one trigram index (SearchIndex migration; written identically there, or the planner
 * does not use it). One index scan answers a search that took three, one per field, and a new user
 * costs one trigram index insert instead of three.
 */
const SEARCH_TEXT = `lower(username::text || E'\\x1f' || email::text || E'\\x1f' || coalesce(institution, ''))`;

/**
 * The admin search: a LIKE pattern against username, email and institution. A match in the joined
 * text that contains no separator lies within one field, so for any search text without the
 * separator the joined text answers exactly. Search text that holds it (which no one types) is
 * checked against each field as well, so that a match across two fields never counts. Text under
 * three characters has no trigram to look up: every row is read, and each field on its own costs
 * less to test than the joined text.
 */
function searchCondition(pattern: string, text: string): string {
  const perField = `(lower(username) LIKE ${pattern} OR lower(email) LIKE ${pattern} OR lower(coalesce(institution, '')) LIKE ${pattern})`;
  if ([...text].length < 3) return perField;
  const joined = `${SEARCH_TEXT} LIKE ${pattern}`;
  return text.includes(SEPARATOR) ? `(${joined} AND ${perField})` : joined;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** The admin list's two statements: one keyset page, and the counts over the whole filtered set. */
export function listStatements(query: UserListQuery): { page: Statement; counts: Statement } {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.q !== undefined && query.q !== '') where.push(searchCondition(param(likePattern(query.q)), query.q));
  if (query.status === 'pending' || query.status === 'approved' || query.status === 'rejected') {
    where.push(`approval_status = ${param(query.status)}`);
  } else if (query.status === 'active') where.push('is_active');
  else if (query.status === 'inactive') where.push('NOT is_active');
  if (query.isSuperuser !== undefined) where.push(`is_superuser = ${param(query.isSuperuser)}`);

  const column = SORT_COLUMN[query.sort];
  const pageWhere = [...where];
  const pageParams = [...params];
  if (query.after) {
    pageParams.push(query.after.value, query.after.id);
    const cast = query.sort === 'created_at' ? '::timestamptz' : '::text';
    const op = query.descending ? '<' : '>';
    pageWhere.push(`(${column}, id) ${op} ($${pageParams.length - 1}${cast}, $${pageParams.length}::uuid)`);
  }
  pageParams.push(query.limit + 1);
  const direction = query.descending ? 'DESC' : 'ASC';
  return {
    page: {
      text: `SELECT *, ${column}::text AS sort_value
                 FROM users ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
                ORDER BY ${column} ${direction}, id ${direction}
                LIMIT $${pageParams.length}`,
      values: pageParams,
    },
    counts:
      where.length === 0
        ? { text: 'SELECT total::int, superusers::int, active::int FROM user_counts WHERE id = 1', values: [] }
        : {
            text: `SELECT count(*)::int AS total,
                            count(*) FILTER (WHERE is_superuser)::int AS superusers,
                            count(*) FILTER (WHERE is_active)::int AS active
                       FROM users WHERE ${where.join(' AND ')}`,
            values: params,
          },
  };
}

/**
 * The pending queue's two statements: one keyset page, oldest first (the partial index on pending
 * users), and the size of the whole filtered queue (the kept counts row when unfiltered).
 */
export function pendingStatements(query: PendingQuery): { page: Statement; count: Statement } {
  const params: unknown[] = [];
  const where = [`approval_status = 'pending'`];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.q !== undefined && query.q !== '') where.push(searchCondition(param(likePattern(query.q)), query.q));
  if (query.institution !== undefined) where.push(`lower(institution) = lower(${param(query.institution)})`);
  const filtered = params.length > 0;
  const count: Statement = filtered
    ? { text: `SELECT count(*)::int AS n FROM users WHERE ${where.join(' AND ')}`, values: [...params] }
    : { text: 'SELECT pending::int AS n FROM user_counts WHERE id = 1', values: [] };
  if (query.after) where.push(`(created_at, id) > (${param(query.after.value)}::timestamptz, ${param(query.after.id)}::uuid)`);
  return {
    page: {
      text: `SELECT *, created_at::text AS sort_value FROM users WHERE ${where.join(' AND ')}
              ORDER BY created_at, id LIMIT ${param(query.limit + 1)}`,
      values: params,
    },
    count,
  };
}
