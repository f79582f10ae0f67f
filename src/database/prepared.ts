import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A statement PostgreSQL parses and plans once per connection (a named prepared statement) rather
 * than on every call, for the queries every registration, mail and authenticated request makes
 * (bench/PROFILE.md). Names are unique across the app; the text must not change while a process
 * runs. A pooler in front of PostgreSQL must keep prepared statements (docs/SCALING.md).
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** The pg pool TypeORM runs on. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * Runs a prepared statement on the pool, or inside `manager`'s transaction when it has one (the
 * transaction's own connection); returns the rows.
 */
export async function runPrepared<R extends QueryResultRow>(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
  manager?: EntityManager | null,
): Promise<R[]> {
  const runner = manager?.queryRunner;
  const client: Pick<Pool, 'query'> | PoolClient =
    runner && !runner.isReleased ? ((await runner.connect()) as PoolClient) : poolOf(dataSource);
  const { rows } = await client.query<R>({ name: statement.name, text: statement.text, values });
  return rows;
}
