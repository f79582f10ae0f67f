import type { AuditEventView } from './audit-query.service';
/**
 * The audit export's two formats (docs/API.md §10 Administration, export). Rows arrive as text
 * straight from PostgreSQL (id, instant and details already formatted), so that a row costs a few
 * string operations and no parse/serialise round trip.
 */

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/** One event as the export reads it: the list route's event with every column as text (null stays null), `details` as JSON text. */
export type ExportRow = Omit<AuditEventView, 'id' | 'details'> & { id: string; details: string };

/** The columns, in the order of the list route's event objects. */
const COLUMNS = [
  'id',
  'at',
  'event_type',
  'actor_id',
  'actor_username',
  'target_id',
  'target_username',
  'ip',
  'user_agent',
  'details',
] as const satisfies ReadonlyArray<keyof ExportRow>;

/** The SELECT list that yields an `ExportRow` (UTC instants with milliseconds, as everywhere in the API). */
export const EXPORT_COLUMNS = `id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, event_type,
  actor_id::text AS actor_id, actor_username, target_id::text AS target_id, target_username, ip, user_agent, details::text AS details`;

/**
 * A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab
 * or carriage return before one) as a formula: `=HYPERLINK(...)` in a username would run when an
 * auditor opens the file. Such a cell gets a leading apostrophe, which spreadsheets take as
 * "this is text" and show without it; the value is then quoted like any other.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. */
export function csvCell(value: string | null): string {
  if (value === null || value === '') return '';
  if (FORMULA_START.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Lines end in CRLF, as RFC 4180 says. */
export const CSV_HEADER = `${COLUMNS.join(',')}\r\n`;

export function csvLines(rows: ExportRow[]): string {
  let text = '';
  for (const row of rows) {
    text += `${csvCell(row.id)},${csvCell(row.at)},${csvCell(row.event_type)},${csvCell(row.actor_id)},${csvCell(row.actor_username)},${csvCell(row.target_id)},${csvCell(row.target_username)},${csvCell(row.ip)},${csvCell(row.user_agent)},${csvCell(row.details)}\r\n`;
  }
  return text;
}

const json = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/** One JSON object per line, the same object as the list route's (`id` a number, `details` an object). */
export function ndjsonLines(rows: ExportRow[]): string {
  let text = '';
  for (const row of rows) {
    text += `{"id":${row.id},"at":${json(row.at)},"event_type":${json(row.event_type)},"actor_id":${json(row.actor_id)},"actor_username":${json(row.actor_username)},"target_id":${json(row.target_id)},"target_username":${json(row.target_username)},"ip":${json(row.ip)},"user_agent":${json(row.user_agent)},"details":${row.details}}\n`;
  }
  return text;
}
