import { AppError } from '../errors/app-error';

/** Opaque keyset cursors: base64url JSON that the server alone writes and checks on the way back. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      if (keys.every((key) => typeof record[key] === 'string' && (record[key] as string).length <= 200)) {
        return record as Record<K, string>;
      }
    }
  } catch {
    // fall through to the 400 below
  }
  throw new AppError('INVALID_QUERY', 'Invalid cursor');
}
