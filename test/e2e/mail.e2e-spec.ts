import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { MailService } from '../../src/mail/mail.service';
import { createTestDatabase } from '../setup/test-database';
import { createTestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { startSmtpSink } from '../utils/smtp-sink';

/** docs/API.md §13 Mail and §16 Operations routes, in the whole app. */
describe('mail in the running service (e2e)', () => {
  jest.setTimeout(120_000);

  it('readiness checks DATA_DIR/outbox with the .eml transport, names it when it cannot take a file, and recovers', async () => {
    const t = await createTestApp();
    try {
      const ready = await t.http.get('/api/health/ready').expect(200);
      expect(ready.body.info.outbox).toMatchObject({ status: 'up' });

      const outbox = path.join(t.dataDir, 'outbox');
      // As root, permissions stop nothing: a regular file where the folder should be.
      await fs.rm(outbox, { recursive: true, force: true });
      await fs.writeFile(outbox, 'not a directory');
      const refused = await t.http.get('/api/health/ready').expect(503);
      expect(Object.keys(refused.body.error ?? {})).toEqual(['outbox']);
      expect(refused.body.info.storage).toMatchObject({ status: 'up' });

      // A mail queued meanwhile waits, then lands as a file once the folder is back.
      await t.app.get(MailService).enqueue(null, { kind: 'account_approved', to: 'ada@example.org', username: 'ada' });
      await eventually(async () => {
        const [row] = await t.sql<{ attempts: number; status: string; last_error: string }>('SELECT * FROM mail_outbox');
        expect(row).toMatchObject({ status: 'pending', attempts: 1 });
        expect(row.last_error).toMatch(/EEXIST|ENOTDIR/);
      }, 60_000);
      await fs.rm(outbox);
      await t.http.get('/api/health/ready').expect(200);
      await eventually(async () => {
        const [row] = await t.sql<{ status: string; id: string }>('SELECT * FROM mail_outbox');
        expect(row.status).toBe('sent');
        expect((await fs.readdir(outbox)).filter((file) => file.endsWith('.eml'))).toEqual([expect.stringContaining(row.id)]);
      }, 60_000);
    } finally {
      await t.close();
    }
  });

  it('with SMTP_URL: the service delivers on its own, readiness does not depend on the SMTP server, and close stops the worker', async () => {
    const sink = await startSmtpSink();
    const database = await createTestDatabase();
    const t = await createTestApp({ SMTP_URL: sink.url, DATABASE_URL: database.url, PUBLIC_URL: 'https://gate.example.org' });
    const observer = new Client({ connectionString: database.url });
    await observer.connect();
    const workerConnections = async () =>
      (
        await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'gatehouse-mail'`,
        )
      ).rows[0].n;
    try {
      const ready = await t.http.get('/api/health/ready').expect(200);
      expect(ready.body.info.outbox).toBeUndefined();
      await sink.stop();
      await t.http.get('/api/health/ready').expect(200);
      await sink.start();

      const queued = await t.app
        .get(MailService)
        .enqueue(null, { kind: 'account_approved', to: 'ada@example.org', username: 'ada' });
      const [arrived] = await sink.waitFor(1);
      expect(arrived.parsed.messageId).toBe(queued.messageId);
      expect(arrived.parsed.text).toContain('https://gate.example.org/console/');
      expect(await workerConnections()).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
    try {
      // Every connection of the worker closed with the app.
      await eventually(async () => expect(await workerConnections()).toBe(0), 10_000);
    } finally {
      await observer.end();
      await database.drop();
      await sink.close();
    }
  });
});
