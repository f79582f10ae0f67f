import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/database.options';
import { MIGRATIONS } from '../../src/database/migrations';
import { ENTITIES } from '../../src/entities';
import { listStatements, pendingStatements } from '../../src/users/users.repository.sql';
import { createTestDatabase } from '../setup/test-database';

describe('migrations (e2e)', () => {
  it('leave no difference between the entities and the migrated schema', async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource({ ...buildDataSourceOptions(database.url, 1), entities: ENTITIES, logging: false });
    await dataSource.initialize();
    try {
      expect(dataSource.entityMetadatas.map((entity) => entity.tableName).sort()).toEqual([
        'account_tokens',
        'audit_events',
        'login_failures',
        'mail_outbox',
        'sessions',
        'trusted_domains',
        'users',
      ]);
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

describe('the search index (e2e)', () => {
  it("serves the admin list's and the pending queue's search, and only it is left of the per-field indexes", async () => {
    const database = await createTestDatabase();
    const dataSource = new DataSource({ ...buildDataSourceOptions(database.url, 1), logging: false });
    await dataSource.initialize();
    try {
      const indexes = (await dataSource.query(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'users' AND indexname LIKE '%trgm'`,
      )) as Array<{
        indexname: string;
      }>;
      expect(indexes.map((row) => row.indexname)).toEqual(['IDX_users_search_trgm']);
      await dataSource.query(
        `INSERT INTO users (email, username, hashed_password, approval_status, institution)
         SELECT 'member' || n || '@example.org', 'member' || n, 'h', CASE WHEN n % 2 = 0 THEN 'pending' ELSE 'approved' END, 'Lab ' || (n % 50)
           FROM generate_series(1, 5000) AS n`,
      );
      await dataSource.query('VACUUM ANALYZE users');
      // At this size a sequential scan costs less; without it, the plan shows whether the index fits.
      await dataSource.query('SET enable_seqscan = off');
      const plan = async (statement: { text: string; values: unknown[] }) =>
        ((await dataSource.query(`EXPLAIN ${statement.text}`, statement.values)) as Array<{ 'QUERY PLAN': string }>)
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      const list = listStatements({ q: 'member4242', sort: 'created_at', descending: true, limit: 100 });
      const pending = pendingStatements({ q: 'member4242', limit: 100 });
      for (const statement of [list.page, list.counts, pending.page, pending.count]) {
        expect(await plan(statement)).toContain('IDX_users_search_trgm');
      }
      const [found] = (await dataSource.query(list.counts.text, list.counts.values)) as Array<{ total: number }>;
      expect(found.total).toBe(1);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});

describe('the identity keys migration (e2e)', () => {
  it('gives existing accounts their keys and reports, never merges, accounts that now collide', async () => {
    const database = await createTestDatabase({ empty: true });
    const before = MIGRATIONS.findIndex((migration) => migration.name.startsWith('IdentityKeys'));
    const old = new DataSource({
      ...buildDataSourceOptions(database.url, 1),
      migrations: MIGRATIONS.slice(0, before),
      logging: false,
    });
    await old.initialize();
    // Accounts that the looser rules let in: a fullwidth look-alike, an NFD twin, an IDNA twin.
    const insert = (username: string, email: string, created: string) =>
      old.query(`INSERT INTO users (username, email, hashed_password, created_at) VALUES ($1, $2, 'h', $3)`, [
        username,
        email,
        created,
      ]);
    await old.runMigrations();
    await insert('rootx', 'rootx@example.org', '2024-01-01');
    await insert('ｒｏｏｔｘ', 'fullwidth@example.org', '2024-02-01');
    await insert('José', 'jose@example.org', '2024-03-01');
    await insert('Jose\u0301', 'jose2@example.org', '2024-04-01');
    await insert('ingrid', 'i@bücher.de', '2024-05-01');
    await insert('ingrid2', 'i@xn--bcher-kva.de', '2024-06-01');
    await old.destroy();

    const current = new DataSource({ ...buildDataSourceOptions(database.url, 1), logging: false });
    await current.initialize();
    try {
      await current.runMigrations();
      const users = await current.query(`SELECT username, username_key, email_key FROM users ORDER BY created_at`);
      expect(users).toHaveLength(6);
      expect(users[0]).toMatchObject({ username: 'rootx', username_key: 'rootx' });
      expect(users[1].username_key).toMatch(/^rootx#[0-9a-f-]{36}$/);
      expect(users[2].username_key).toBe('josé');
      expect(users[3].username_key).toMatch(/^josé#/);
      expect(users[4].email_key).toBe('i@xn--bcher-kva.de');
      expect(users[5].email_key).toMatch(/^i@xn--bcher-kva\.de#/);
      const collisions = await current.query(
        `SELECT target_username, details FROM audit_events WHERE event_type = 'identity_collision' ORDER BY id`,
      );
      expect(collisions).toHaveLength(3);
      expect(collisions.map((row: { details: { field: string } }) => row.details.field).sort()).toEqual([
        'email',
        'username',
        'username',
      ]);
      // The database now refuses a new look-alike, whatever the application checks.
      await expect(insertAgain(current)).rejects.toThrow(/user_identifiers|duplicate key/);
    } finally {
      await current.destroy();
      await database.drop();
    }
  });
});

function insertAgain(dataSource: DataSource) {
  return dataSource.query(
    `INSERT INTO users (username, email, hashed_password, username_key, email_key) VALUES ('x', 'x@example.org', 'h', 'rootx', 'x@example.org')`,
  );
}
