import { Client } from 'pg';
import type { EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';
import { ADMIN_URL_ENV, TEMPLATE_DB_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[ADMIN_URL_ENV];
  const template = process.env[TEMPLATE_DB_ENV];
  // Both projects' teardowns run; the first one cleans up.
  delete process.env[TEMPLATE_DB_ENV];
  if (adminUrl && template) {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [template, `${template}\\_%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  const embedded = (globalThis as Record<string, unknown>).__gatehouseEmbedded as EmbeddedPostgresHandle | undefined;
  (globalThis as Record<string, unknown>).__gatehouseEmbedded = undefined;
  await embedded?.stop();
}
