import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, encodeCursor, PG_TIMESTAMPTZ } from '../common/http/cursor';
import { normaliseUserId } from '../common/http/parse-user-id.pipe';

/** Filters of the audit trail, as the admin route receives them (ids hyphenated or 32 hex digits). */
export interface AuditFilter {
  event_type?: string;
  actor_id?: string;
  target_id?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditEventView {
  id: number;
  at: string;
  event_type: string;
  actor_id: string | null;
  actor_username: string | null;
  target_id: string | null;
  target_username: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

export interface AuditEventPage {
  events: AuditEventView[];
  next_cursor: string | null;
}

interface AuditRow {
  id: string;
  at: Date;
  at_text: string;
  event_type: string;
  actor_id: string | null;
  actor_username: string | null;
  target_id: string | null;
  target_username: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

/** Calendar date, optional time (seconds and fraction optional) and offset; each part checked below. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * An ISO 8601 date or date-time as the text of one exact instant for PostgreSQL (years 1 to 9999,
 * microseconds kept). A date that does not exist (Feb 30, Apr 31, Feb 29 of a common year, hour
 * 24, minute or second 60, an offset beyond ±14:00) is refused, never rolled over (docs/API.md
 * §1 Conventions). A time without an offset is UTC, as every time of the API.
 */
function exactInstant(text: string, name: string): string {
  const invalid = () => new AppError('INVALID_QUERY', `Invalid ${name}`);
  const match = ISO_INSTANT.exec(text);
  if (!match) throw invalid();
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '0', zone = 'Z', sign = '+', zh = '00', zm = '00'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const offset = Number(zh) * 60 + Number(zm);
  const exists =
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(zm) <= 59 &&
    offset <= 14 * 60;
  if (!exists) throw invalid();
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction}${zone === 'Z' ? '+00:00' : `${sign}${zh}:${zm}`}`;
}

/**
 * The SQL conditions of the filters (shared by the list and the export), their values appended
 * to `params`. A filter that does not name a real id or instant is 400 here.
 */
export function filterConditions(query: AuditFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.event_type) where.push(`event_type = ${param(query.event_type)}`);
  if (query.actor_id) where.push(`actor_id = ${param(normaliseUserId(query.actor_id))}::uuid`);
  if (query.target_id) where.push(`target_id = ${param(normaliseUserId(query.target_id))}::uuid`);
  if (query.since) where.push(`at >= ${param(exactInstant(query.since, 'since'))}::timestamptz`);
  if (query.until) where.push(`at < ${param(exactInstant(query.until, 'until'))}::timestamptz`);
  return where;
}

/** The read side of the audit trail: newest first, keyset pages on (at, id). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Audit events by type, for the metrics gauge. */
  async countByType(): Promise<Array<[string, number]>> {
    const rows: Array<{ event_type: string; n: number }> = await this.dataSource.query(
      'SELECT event_type, count(*)::int AS n FROM audit_events GROUP BY event_type',
    );
    return rows.map((row) => [row.event_type, row.n]);
  }

  async list(query: AuditFilter): Promise<AuditEventPage> {
    const params: unknown[] = [];
    const where = filterConditions(query, params);
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, ['a', 'i'] as const);
      if (!/^\d{1,18}$/.test(cursor.i) || !PG_TIMESTAMPTZ.test(cursor.a)) throw new AppError('INVALID_QUERY', 'Invalid cursor');
      where.push(`(at, id) < (${param(cursor.a)}::timestamptz, ${param(cursor.i)}::bigint)`);
    }
    const limit = query.limit ?? 100;
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT id, at, at::text AS at_text, event_type, actor_id, actor_username, target_id, target_username, ip, user_agent, details
         FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC
        LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      events: page.map((row) => ({
        id: Number(row.id),
        at: row.at.toISOString(),
        event_type: row.event_type,
        actor_id: row.actor_id,
        actor_username: row.actor_username,
        target_id: row.target_id,
        target_username: row.target_username,
        ip: row.ip,
        user_agent: row.user_agent,
        details: row.details,
      })),
      next_cursor: rows.length > limit && last ? encodeCursor({ a: last.at_text, i: String(last.id) }) : null,
    };
  }
}
