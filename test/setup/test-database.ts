import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Where the e2e run's databases live; set by the global setup for every worker. */
export const ADMIN_URL_ENV = 'GATEHOUSE_TEST_ADMIN_URL';
export const TEMPLATE_DB_ENV = 'GATEHOUSE_TEST_TEMPLATE_DB';
export const RUN_ID_ENV = 'GATEHOUSE_TEST_RUN_ID';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file, copied from the migrated template of this run (or empty). */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env[ADMIN_URL_ENV];
  const template = process.env[TEMPLATE_DB_ENV];
  const runId = process.env[RUN_ID_ENV];
  if (!adminUrl || !template || !runId) throw new Error('the e2e global setup did not run');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, options.empty ? `CREATE DATABASE "${name}"` : `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
