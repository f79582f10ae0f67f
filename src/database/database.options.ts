import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One description of the database for the app, the tests and the TypeORM CLI. */
export function buildDataSourceOptions(url: string, poolSize = 10): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
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
