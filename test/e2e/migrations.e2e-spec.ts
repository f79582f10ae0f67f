import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/database.options';
import { createTestDatabase } from '../setup/test-database';

describe('migrations (e2e)', () => {
  it('leave no difference between the entities and the migrated schema', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource({ ...buildDataSourceOptions(database.url, 1), logging: false });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });

  it('make the audit table append-only', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource({ ...buildDataSourceOptions(database.url, 1), logging: false });
    await dataSource.initialize();
    try {
      await dataSource.query(`INSERT INTO audit_events (event_type, details) VALUES ('logout', '{}')`);
      await expect(dataSource.query(`UPDATE audit_events SET event_type = 'x'`)).rejects.toThrow(/append-only/);
      await expect(dataSource.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
