import { emailKey, emailProblem, normaliseUsername, usernameKey, usernameProblem } from '../users/identity';
import type { ApprovalStatus } from '../users/user.entity';

/**
 * One row of the original system's SQLite `user` table, turned into what the users table holds.
 * Pure functions only: the reader and the importer do the I/O.
 */

/** A row as better-sqlite3 returns it: column name → value (null, number, bigint, string, Buffer). */
export type LegacyRow = Record<string, unknown>;

export const REQUIRED_COLUMNS = ['id', 'email', 'username', 'hashed_password'] as const;
/** Present only in databases made after the approval workflow was added. */
export const APPROVAL_COLUMNS = ['is_approved', 'approval_note', 'institution', 'approved_by', 'approved_at'] as const;

export interface LegacyUser {
  id: string;
  email: string;
  /** In NFKC, as every stored username. */
  username: string;
  usernameKey: string;
  emailKey: string;
  hashedPassword: string;
  isActive: boolean;
  isSuperuser: boolean;
  isApproved: boolean;
  approvalStatus: ApprovalStatus;
  approvalNote: string | null;
  institution: string | null;
  approvedBy: string | null;
  /** Text PostgreSQL parses as timestamptz (microseconds kept), or null. */
  approvedAt: string | null;
  /** Null when the row has none: the importer uses the time of the import. */
  createdAt: string | null;
  /** The hash is not argon2 or bcrypt: the password cannot work until it is reset. */
  unusableHash: boolean;
}

export type LegacyUserResult =
  { user: LegacyUser } | { invalid: string; id: string | null; username: string | null; email: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const USABLE_HASH = /^(\$argon2(id|i|d)\$|\$2[aby]\$\d{2}\$)/;
const EMAIL_MAX = 320;
const USERNAME_MAX = 150;

/** 32 hex digits, hyphenated, braced or 16 raw bytes → the canonical lowercase hyphenated form. */
export function normaliseUuid(value: unknown): string | null {
  let text: string;
  if (Buffer.isBuffer(value) && value.length === 16) text = value.toString('hex');
  else if (typeof value === 'string')
    text = value
      .trim()
      .toLowerCase()
      .replace(/^\{(.*)\}$/, '$1');
  else return null;
  if (HEX32.test(text)) {
    text = `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }
  return UUID.test(text) ? text : null;
}

/** SQLite has no boolean: 0/1 integers as SQLAlchemy writes them, or text. Unreadable → fallback. */
export function toBoolean(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (['1', 'true', 't', 'yes', 'y'].includes(text)) return true;
    if (['0', 'false', 'f', 'no', 'n'].includes(text)) return false;
  }
  return fallback;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * SQLAlchemy stores DateTime in SQLite as text (`2024-05-01 12:30:00.123456`), naive and in UTC
 * (the original system used `datetime.utcnow()`); an offset, if present, is honoured. Numbers are
 * Unix time in seconds or milliseconds. Returns text for PostgreSQL (microseconds kept) or null.
 */
export function toTimestamp(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'bigint') {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) return null;
    const date = new Date(number < 1e11 ? number * 1000 : number);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  if (typeof value !== 'string') return null;
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction, zone] = match;
  const parts = [year, month, day, hour, minute, second].map(Number);
  const check = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  // Date.UTC rolls 2024-02-31 over to March: a value that does not survive the round trip is invalid.
  if (
    check.getUTCFullYear() !== parts[0] ||
    check.getUTCMonth() !== parts[1] - 1 ||
    check.getUTCDate() !== parts[2] ||
    check.getUTCHours() !== parts[3] ||
    check.getUTCMinutes() !== parts[4] ||
    check.getUTCSeconds() !== parts[5]
  ) {
    return null;
  }
  const micros = fraction ? `.${fraction.slice(0, 6)}` : '';
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5) || '00'}`;
  }
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${micros}${offset}`;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

function optionalText(value: unknown): string | null {
  const result = text(value);
  return result === null || result === '' ? null : result;
}

/**
 * Maps one legacy row. The old system had two states, approved or not: `is_approved` false is
 * pending (a rejection there only cleared the flags, so it cannot be told apart), and a database
 * without the approval columns predates the workflow, so its users are approved. `is_verified` is
 * always true here (docs/API.md §2 Users and their states: imported users are verified).
 */
export function mapLegacyUser(row: LegacyRow, columns: ReadonlySet<string>): LegacyUserResult {
  const id = normaliseUuid(row.id);
  const username = text(row.username);
  const email = text(row.email);
  const hashedPassword = text(row.hashed_password);
  const invalid = (reason: string): LegacyUserResult => ({
    invalid: reason,
    id: id ?? text(row.id),
    username,
    email,
  });
  if (!id) return invalid('id is not a UUID');
  if (!username || username.trim() === '') return invalid('username is empty');
  if (!email || email.trim() === '') return invalid('email is empty');
  if ([...username].length > USERNAME_MAX) return invalid(`username is longer than ${USERNAME_MAX} characters`);
  if ([...email].length > EMAIL_MAX) return invalid(`email is longer than ${EMAIL_MAX} characters`);
  // The identity rules of new accounts apply to imported ones (docs/API.md §3 Identity rules).
  const usernameRefused = usernameProblem(username);
  if (usernameRefused) return invalid(usernameRefused);
  const emailRefused = emailProblem(email);
  if (emailRefused) return invalid(emailRefused);
  if (!hashedPassword) return invalid('hashed_password is empty');

  const hasApproval = columns.has('is_approved');
  const isApproved = hasApproval ? toBoolean(row.is_approved, false) : true;
  return {
    user: {
      id,
      email,
      username: normaliseUsername(username),
      usernameKey: usernameKey(username),
      emailKey: emailKey(email)!,
      hashedPassword,
      isActive: toBoolean(row.is_active, true),
      isSuperuser: toBoolean(row.is_superuser, false),
      isApproved,
      approvalStatus: isApproved ? 'approved' : 'pending',
      approvalNote: optionalText(row.approval_note),
      institution: optionalText(row.institution),
      approvedBy: isApproved ? normaliseUuid(row.approved_by) : null,
      approvedAt: isApproved ? toTimestamp(row.approved_at) : null,
      createdAt: toTimestamp(row.created_at),
      unusableHash: !USABLE_HASH.test(hashedPassword),
    },
  };
}
