import { AppError } from '../errors/app-error';

/** The text form of a timestamptz as PostgreSQL writes it into our cursors. */
export const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

// eslint-disable-next-line no-control-regex -- control characters are exactly what a cursor may not hold
const CONTROL_CHARACTERS = /[\u0000-\u001f]/;

/** Opaque keyset cursors: base64url JSON that the server alone writes and checks on the way back. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      const acceptable = (v: unknown) =>
        typeof v === 'string' && v.length <= 400 && v.isWellFormed() && !CONTROL_CHARACTERS.test(v);
      if (keys.every((key) => acceptable(record[key]))) {
        return record as Record<K, string>;
      }
    }
  } catch {
    // fall through to the 400 below
  }
  throw new AppError('INVALID_QUERY', 'Invalid cursor');
}
