import { DataSource, type Logger } from 'typeorm';
import { StartupError } from '../common/errors/startup-error';
import { buildDataSourceOptions } from './database.options';

const quiet = () => undefined;
const SILENT: Logger = {
  logQuery: quiet,
  logQueryError: quiet,
  logQuerySlow: quiet,
  logSchemaBuild: quiet,
  logMigration: quiet,
  log: quiet,
};

/** Any fixed 64-bit number: the advisory lock under which one process at a time migrates. */
const MIGRATION_LOCK = '7449363237540422960';

/**
 * Applies pending migrations under a session-level advisory lock, so that several instances
 * started at the same moment on an empty database queue here: the first migrates, the others
 * find nothing left to do. Returns the names of the migrations this process applied.
 */
export async function runMigrationsExclusively(databaseUrl: string): Promise<string[]> {
  // Silent (TypeORM logs a failed migration even with logging off): a failure is the one start-up
  // line, naming the migration (below).
  const dataSource = new DataSource({ ...buildDataSourceOptions(databaseUrl, 2), logging: false, logger: SILENT });
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        const applied = await dataSource.runMigrations({ transaction: 'each' }).catch(async (error: Error) => {
          throw await namingTheMigration(dataSource, error);
        });
        return applied.map((migration) => migration.name);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Each migration runs in its own transaction, so the one that failed is the first not recorded as
 * applied: the error becomes a StartupError naming it, with the database's message and code.
 */
async function namingTheMigration(dataSource: DataSource, error: Error): Promise<StartupError> {
  const code = (error as Error & { code?: string }).code;
  try {
    const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations');
    const applied = new Set(rows.map((row) => row.name));
    const failed = dataSource.migrations.map((migration) => migration.name).find((name) => name && !applied.has(name));
    return new StartupError(failed ? `migration ${failed} failed: ${error.message}` : error.message, code);
  } catch {
    return new StartupError(error.message, code);
  }
}
