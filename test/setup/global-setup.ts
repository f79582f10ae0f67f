import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/database.options';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { migrateMailQueue } from '../../src/mail/mail-worker';
import { ADMIN_URL_ENV, adminQuery, RUN_ID_ENV, TEMPLATE_DB_ENV, withDatabase } from './test-database';

/**
 * One migrated template database per run: TEST_DATABASE_URL's server when set (CI here), else an
 * embedded PostgreSQL in a temporary folder. Each test file copies the template. Shared by the
 * e2e and medium projects: the second call finds the template made.
 */
export default async function globalSetup(): Promise<void> {
  // The e2e and medium projects share one run's template (jest calls each project's setup).
  if (process.env[TEMPLATE_DB_ENV]) return;
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-pg-'));
    // mkdtemp makes 0700; as root the server runs as user postgres, which must reach the folder.
    chmodSync(dir, 0o755);
    const handle = await startEmbeddedPostgres(
      dir,
      { log: () => undefined, warn: (m) => process.stderr.write(`${m}\n`) },
      { database: 'postgres' },
    );
    (globalThis as Record<string, unknown>).__gatehouseEmbedded = handle;
    adminUrl = handle.url;
  }
  const template = `gatehouse_test_${runId}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${template}"`);
  const dataSource = new DataSource({ ...buildDataSourceOptions(withDatabase(adminUrl, template), 2), logging: false });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  // The mail queue's own schema, which each app would otherwise install at start.
  await migrateMailQueue(withDatabase(adminUrl, template), {
    error: (message: string) => process.stderr.write(`${message}\n`),
    warn: (message: string) => process.stderr.write(`${message}\n`),
    debug: () => undefined,
  });
  process.env[ADMIN_URL_ENV] = adminUrl;
  process.env[TEMPLATE_DB_ENV] = template;
  process.env[RUN_ID_ENV] = runId;
}
