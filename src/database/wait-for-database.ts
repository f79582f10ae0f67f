import { Client } from 'pg';
import { StartupError } from '../common/errors/startup-error';

export interface WaitLog {
  warn(message: string): void;
}

/** Errors that a database still starting (or a network still coming up) gives: worth a retry. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  // PostgreSQL: the database system is starting up / shutting down; too many connections.
  '57P03',
  '57P01',
  '53300',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTransient(error: unknown): boolean {
  const code = codeOf(error);
  if (code) return TRANSIENT_CODES.has(code);
  // pg's own connection timeout and a server that closes the socket at once carry no code.
  return /timeout|terminated/i.test((error as Error)?.message ?? '');
}

/** host:port/database of a URL, never its password. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the database';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects (and runs `SELECT 1`) until the database answers, for at most `waitSeconds`: one warning
 * per failed attempt, then a StartupError naming the cause. Errors that waiting cannot cure (a
 * wrong password, a missing database) fail at once. TypeORM then connects without retries of its own.
 */
export async function waitForDatabase(url: string, waitSeconds: number, log: WaitLog): Promise<void> {
  const where = describeDatabase(url);
  const started = Date.now();
  const deadline = started + waitSeconds * 1000;
  for (let attempt = 1; ; attempt += 1) {
    const left = deadline - Date.now();
    const client = new Client({ connectionString: url, connectionTimeoutMillis: Math.max(1000, Math.min(5000, left)) });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const reason = (error as Error)?.message || String(error);
      if (!isTransient(error)) {
        throw new StartupError(`database ${where} refused the connection: ${reason}`, codeOf(error));
      }
      const pause = Math.min(2000, 500 * attempt, deadline - Date.now());
      if (pause <= 0) {
        const waited = Math.round((Date.now() - started) / 1000);
        throw new StartupError(
          `database ${where} is unreachable: ${reason} (${attempt} attempt${attempt === 1 ? '' : 's'} in ${waited} s; DATABASE_WAIT_SECONDS=${waitSeconds})`,
          codeOf(error),
        );
      }
      log.warn(
        `database ${where} is not reachable yet (${reason}); attempt ${attempt}, retrying in ${(pause / 1000).toFixed(1)} s`,
      );
      await sleep(pause);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
