import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './database.options';

/** Any fixed 64-bit number: the advisory lock under which one process at a time migrates. */
const MIGRATION_LOCK = '7449363237540422960';

/**
 * Applies pending migrations under a session-level advisory lock, so that several instances
 * started at the same moment on an empty database queue here: the first migrates, the others
 * find nothing left to do. Returns the names of the migrations this process applied.
 */
export async function runMigrationsExclusively(databaseUrl: string): Promise<string[]> {
  // Nothing printed here (TypeORM's 'debug' logger writes only under DEBUG=typeorm:*): a failure
  // is thrown, and the start reports it as its one JSON line.
  const dataSource = new DataSource({ ...buildDataSourceOptions(databaseUrl, 2), logging: false, logger: 'debug' });
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
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
