import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { APPROVAL_COLUMNS, LegacyRow, REQUIRED_COLUMNS } from './legacy-user';

/** Why a legacy database cannot be read at all: the import stops before touching anything. */
export class LegacyDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyDatabaseError';
  }
}

export interface LegacyDatabase {
  file: string;
  columns: ReadonlySet<string>;
  /** `approval`: the table has the approval columns; `original`: an older database without them. */
  schema: 'approval' | 'original';
  rows: LegacyRow[];
}

type SqliteConstructor = typeof BetterSqlite3;

/**
 * better-sqlite3 is an optional dependency needed by this command only: loaded here, on demand,
 * so that the service never requires it.
 */
function loadSqlite(): SqliteConstructor {
  try {
    // An optional dependency, loaded only when an import runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('better-sqlite3') as SqliteConstructor;
  } catch (error) {
    throw new LegacyDatabaseError(
      `better-sqlite3 cannot be loaded (${(error as Error).message.split('\n')[0]}); ` +
        'it is an optional dependency: install it with `npm install better-sqlite3`',
    );
  }
}

/** Opens the original system's `users.db` read-only and returns every row of its `user` table. */
export function readLegacyDatabase(file: string): LegacyDatabase {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new LegacyDatabaseError(`${resolved} does not exist`);
  if (!statSync(resolved).isFile()) throw new LegacyDatabaseError(`${resolved} is not a file`);
  const Sqlite = loadSqlite();
  let db: BetterSqlite3.Database;
  try {
    db = new Sqlite(resolved, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new LegacyDatabaseError(`cannot open ${resolved}: ${(error as Error).message}`);
  }
  try {
    let hasTable: boolean;
    try {
      hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'`).get() !== undefined;
    } catch (error) {
      throw new LegacyDatabaseError(`${resolved} is not a readable SQLite database: ${(error as Error).message}`);
    }
    if (!hasTable) throw new LegacyDatabaseError(`${resolved} has no \`user\` table`);

    const info = db.prepare(`PRAGMA table_info("user")`).all() as Array<{ name: string }>;
    const columns = new Set(info.map((column) => column.name));
    const missing = REQUIRED_COLUMNS.filter((name) => !columns.has(name));
    if (missing.length > 0) {
      throw new LegacyDatabaseError(`the \`user\` table of ${resolved} lacks the column(s) ${missing.join(', ')}`);
    }
    const rows = db.prepare(`SELECT * FROM "user"`).all() as LegacyRow[];
    return {
      file: resolved,
      columns,
      schema: APPROVAL_COLUMNS.some((name) => columns.has(name)) ? 'approval' : 'original',
      rows,
    };
  } finally {
    db.close();
  }
}
