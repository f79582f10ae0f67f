import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { MIGRATIONS } from './migrations';

/**
 * One description of the database for the app, the tests and the TypeORM CLI. Entities are not
 * listed here (the database layer knows no feature): the app registers them per module, the CLI
 * and the drift check pass `ENTITIES` from src/entities.ts.
 */
export function buildDataSourceOptions(url: string, poolSize = 10): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      // A query that hangs (database gone without a FIN) must not hold a request forever.
      query_timeout: 15_000,
      application_name: 'gatehouse',
    },
  };
}
