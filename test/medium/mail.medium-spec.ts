import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { MailService } from '../../src/mail/mail.service';
import { MailKind, MailRequest } from '../../src/mail/mail.types';
import { MailWorker } from '../../src/mail/mail-worker';
import { createMediumApp, MediumApp } from '../utils/create-medium-app';
import { eventually } from '../utils/eventually';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';

/**
 * docs/API.md §13 Mail: the outbox, its delivery and its transports, on real PostgreSQL and a real
 * SMTP server (smtp-server in this process, mails read back with mailparser).
 */

// Generous: two loaded cores; nothing here measures time.
const LONG = 60_000;
jest.setTimeout(180_000);

interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string;
  sent_at: Date | null;
  failed_at: Date | null;
  text_body: string | null;
  html_body: string | null;
}

const approved = (n: number): MailRequest => ({ kind: 'account_approved', to: `user${n}@example.org`, username: `user${n}` });

const outbox = (m: MediumApp) => m.sql<OutboxRow>('SELECT * FROM mail_outbox ORDER BY created_at, recipient');

async function jobCount(m: MediumApp): Promise<number> {
  const [{ n }] = await m.sql<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker.jobs');
  return n;
}

/** `count` mails sent and no job left: nothing further can arrive. */
function settled(m: MediumApp, count: number, timeoutMs = LONG): Promise<OutboxRow[]> {
  return eventually(async () => {
    const rows = await outbox(m);
    expect(rows.filter((row) => row.status === 'sent')).toHaveLength(count);
    expect(await jobCount(m)).toBe(0);
    return rows;
  }, timeoutMs);
}

/** Each Message-ID of the rows arrived exactly once, and nothing else did. */
function expectEachOnce(sink: SmtpSink, rows: OutboxRow[]): void {
  const arrived = sink.received.map((mail) => mail.parsed.messageId).sort();
  expect(arrived).toEqual(rows.map((row) => row.message_id).sort());
  expect(new Set(arrived).size).toBe(rows.length);
}

describe('mail outbox and delivery over SMTP (medium)', () => {
  let sink: SmtpSink;
  let m: MediumApp;
  let mail: MailService;

  beforeEach(async () => {
    sink = await startSmtpSink();
    m = await createMediumApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://gatehouse.example.org/' });
    mail = m.app.get(MailService);
    await m.app.get(MailWorker).start();
  });
  afterEach(async () => {
    await m.close();
    await sink.close();
  });

  it('delivers exactly one mail, with the Message-ID stored at enqueue, when the transaction commits', async () => {
    const queued = await m.app.get(DataSource).transaction((manager) => mail.enqueue(manager, approved(1)));
    expect(queued.messageId).toMatch(/^<[0-9a-f-]{36}@gatehouse\.example\.org>$/);

    const [row] = await settled(m, 1);
    expect(sink.received).toHaveLength(1);
    const [received] = sink.received;
    expect(received.parsed.messageId).toBe(queued.messageId);
    expect(row).toMatchObject({ id: queued.id, message_id: queued.messageId, status: 'sent', attempts: 1, last_error: null });
    expect(row.sent_at).not.toBeNull();
    expect(received.rcptTo).toEqual(['user1@example.org']);
    expect(received.parsed.from?.value).toEqual([{ name: 'Gatehouse', address: 'gatehouse@localhost' }]);
    expect(received.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('sends nothing and keeps no row when the transaction rolls back', async () => {
    const failure = new Error('the change failed after the mail was queued');
    await expect(
      m.app.get(DataSource).transaction(async (manager) => {
        await mail.enqueue(manager, approved(1));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outbox(m)).toEqual([]);
    expect(await jobCount(m)).toBe(0);

    // A committed mail queued after it goes out alone.
    const marker = await mail.enqueue(null, approved(2));
    await settled(m, 1);
    expect(sink.received.map((r) => r.parsed.messageId)).toEqual([marker.messageId]);
  });

  it('refuses a recipient that is not exactly one address, writing nothing', async () => {
    for (const to of ['a@example.org\r\nBcc: b@example.org', 'a@example.org, b@example.org', 'Ada <a@example.org>', 'nobody']) {
      await expect(mail.enqueue(null, { kind: 'account_approved', to, username: 'a' })).rejects.toThrow(/not one email address/);
    }
    expect(await outbox(m)).toEqual([]);
    expect(await jobCount(m)).toBe(0);
  });

  it('delivers every kind to its recipient with its subject, both parts and its link', async () => {
    const token = 'k9Vd2_xQ-7RtpLmN0aBcDeFgHiJkLmNoPqRsTuVwXy';
    const base = { username: 'ada' };
    const requests: MailRequest[] = [
      { ...base, to: 'a1@example.org', kind: 'registration_received' },
      { ...base, to: 'a2@example.org', kind: 'account_approved' },
      { ...base, to: 'a3@example.org', kind: 'account_rejected', reason: 'Not affiliated' },
      { ...base, to: 'a4@example.org', kind: 'password_changed' },
      { ...base, to: 'a5@example.org', kind: 'password_reset' },
      { ...base, to: 'a6@example.org', kind: 'reset_password_link', token, validForSeconds: 3600 },
      { ...base, to: 'a7@example.org', kind: 'verify_email_link', token, validForSeconds: 86400 },
      {
        ...base,
        to: 'a8@example.org',
        kind: 'admin_digest',
        registrations: [{ username: 'eve', email: 'eve@example.org', institution: 'Uni', note: 'hi', waitingSince: new Date() }],
      },
    ];
    const links: Partial<Record<MailKind, string>> = {
      account_approved: 'https://gatehouse.example.org/console/',
      password_changed: 'https://gatehouse.example.org/console/',
      reset_password_link: `https://gatehouse.example.org/console/reset-password?token=${token}`,
      verify_email_link: `https://gatehouse.example.org/console/verify?token=${token}`,
      admin_digest: 'https://gatehouse.example.org/console/',
    };
    for (const request of requests) await mail.enqueue(null, request);
    await settled(m, requests.length);

    for (const request of requests) {
      const arrived = sink.received.find((r) => r.rcptTo[0] === request.to);
      expect(arrived).toBeDefined();
      const { parsed } = arrived!;
      expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : undefined).toEqual([{ address: request.to, name: '' }]);
      expect(parsed.subject).toMatch(/Gatehouse/);
      expect(parsed.text).toContain('Hello ada,');
      expect(parsed.html).toContain('Hello ada,');
      const link = links[request.kind];
      if (link) {
        expect(parsed.text).toContain(link);
        expect(parsed.html).toContain(`href="${link}"`);
      }
    }
  });

  it('keeps the mails while the SMTP server refuses connections and delivers all 20 once it is back, none lost, none doubled', async () => {
    await sink.stop();
    for (let i = 0; i < 20; i += 1) await mail.enqueue(null, approved(i));

    // Every mail tried and refused, still pending, its attempt counted and its error kept.
    await eventually(async () => {
      const rows = await outbox(m);
      expect(rows).toHaveLength(20);
      for (const row of rows) {
        expect(row.status).toBe('pending');
        expect(row.attempts).toBeGreaterThanOrEqual(1);
        expect(row.last_error).toMatch(/ECONNREFUSED/);
      }
    }, LONG);
    expect(sink.received).toEqual([]);

    await sink.start();
    const rows = await settled(m, 20);
    expectEachOnce(sink, rows);
    for (const row of rows) {
      expect(row.last_error).toBeNull();
      expect(row.attempts).toBeGreaterThanOrEqual(2);
    }
  });

  it('sends a burst over the pooled connections (at most one per delivery at once) and closes them when the app closes', async () => {
    for (let i = 0; i < 30; i += 1) await mail.enqueue(null, approved(i));
    expectEachOnce(sink, await settled(m, 30));
    const { opened } = sink.connections();
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(4);
    expect(sink.connections().open).toBeGreaterThanOrEqual(1);
    await m.close();
    // Well inside the pool's 20-s idle timeout: closed by the app's shutdown, not by idling.
    await eventually(async () => expect(sink.connections().open).toBe(0), 10_000);
  });

  it('clears the body of a mail that holds a token once it is sent, and keeps the others', async () => {
    const token = 'Q2x_tokenValueThatMustNotStay-0123456789';
    await mail.enqueue(null, { kind: 'reset_password_link', to: 'r@example.org', username: 'r', token, validForSeconds: 3600 });
    await mail.enqueue(null, approved(1));
    const rows = await settled(m, 2);
    const reset = rows.find((row) => row.kind === 'reset_password_link')!;
    expect(reset).toMatchObject({ text_body: null, html_body: null, status: 'sent' });
    expect(JSON.stringify(await m.sql('SELECT * FROM mail_outbox'))).not.toContain(token);
    expect(rows.find((row) => row.kind === 'account_approved')!.text_body).toContain('Hello user1,');
    expect(sink.received.find((r) => r.rcptTo[0] === 'r@example.org')!.parsed.text).toContain(token);
  });
});

describe('a mail given up after its last attempt (medium)', () => {
  it('is marked failed, audited as mail_failed with its kind and Message-ID, and not tried again', async () => {
    const sink = await startSmtpSink();
    await sink.stop(); // a port that refuses connections
    const m = await createMediumApp({ SMTP_URL: sink.url, MAIL_MAX_ATTEMPTS: '2' });
    try {
      await m.app.get(MailWorker).start();
      const queued = await m.app.get(MailService).enqueue(null, approved(1));
      const [row] = await eventually(async () => {
        const rows = await outbox(m);
        expect(rows[0].status).toBe('failed');
        return rows;
      }, LONG);
      expect(row).toMatchObject({ attempts: 2, message_id: queued.messageId, sent_at: null });
      expect(row.failed_at).not.toBeNull();
      expect(row.last_error).toMatch(/ECONNREFUSED/);
      // The job is completed right after the row is written (the queue records completions in a batch).
      await eventually(async () => expect(await jobCount(m)).toBe(0), LONG);
      const events = await m.sql<{ event_type: string; details: unknown; actor_id: unknown }>(
        `SELECT event_type, details, actor_id FROM audit_events WHERE event_type = 'mail_failed'`,
      );
      expect(events).toEqual([
        { event_type: 'mail_failed', details: { kind: 'account_approved', message_id: queued.messageId }, actor_id: null },
      ]);
    } finally {
      await m.close();
    }
  });
});

describe('the .eml transport, without SMTP_URL (medium)', () => {
  it('writes one parseable RFC 5322 file per mail, mode 0600, in DATA_DIR/outbox (0700)', async () => {
    const m = await createMediumApp({ PUBLIC_URL: 'https://gatehouse.example.org' });
    try {
      await m.app.get(MailWorker).start();
      const mail = m.app.get(MailService);
      const queued = [];
      for (let i = 0; i < 3; i += 1) queued.push(await mail.enqueue(null, approved(i)));
      const rows = await settled(m, 3);

      const dir = path.join(m.config.dataDir, 'outbox');
      expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
      const files = (await fs.readdir(dir)).sort();
      expect(files).toHaveLength(3);
      const ids = new Set<string>();
      for (const file of files) {
        expect(file).toMatch(/^\d{8}T\d{6}Z-[0-9a-f-]{36}\.eml$/);
        const full = path.join(dir, file);
        expect((await fs.stat(full)).mode & 0o777).toBe(0o600);
        const raw = await fs.readFile(full);
        expect(raw.includes('\r\n')).toBe(true);
        const parsed = await simpleParser(raw);
        const row = rows.find((r) => r.message_id === parsed.messageId)!;
        expect(row).toBeDefined();
        expect(file).toContain(row.id);
        expect(parsed.subject).toBe(row.subject);
        expect(parsed.from?.value).toEqual([{ name: 'Gatehouse', address: 'gatehouse@localhost' }]);
        expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0].address : undefined).toBe(row.recipient);
        expect(parsed.text).toContain('https://gatehouse.example.org/console/');
        expect(parsed.html).toContain('href="https://gatehouse.example.org/console/"');
        ids.add(parsed.messageId!);
      }
      expect([...ids].sort()).toEqual(queued.map((q) => q.messageId).sort());
    } finally {
      await m.close();
    }
  });
});

describe('two instances on one database (medium)', () => {
  it('install the queue together and deliver 30 mails exactly once', async () => {
    // The first app owns the database (and drops it at close); the two instances share it.
    const sink = await startSmtpSink();
    const first = await createMediumApp({ SMTP_URL: sink.url });
    // The queue's schema gone, as on a database no instance has served yet: both install it at once.
    await first.sql('DROP SCHEMA graphile_worker CASCADE');
    const env = { SMTP_URL: sink.url, DATABASE_URL: first.config.databaseUrl! };
    const [a, b] = await Promise.all([createMediumApp(env), createMediumApp(env)]);
    try {
      const mail = a.app.get(MailService);
      for (let i = 0; i < 30; i += 1) await (i % 2 === 0 ? mail : b.app.get(MailService)).enqueue(null, approved(i));
      await Promise.all([a.app.get(MailWorker).start(), b.app.get(MailWorker).start()]);
      const rows = await settled(a, 30);
      expectEachOnce(sink, rows);
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
    } finally {
      await b.close();
      await a.close();
      await first.close();
      await sink.close();
    }
  });
});

describe('tasks of other modules (medium)', () => {
  it('runs a registered task with its payload; a job key with preserve_run_at makes one run of many requests; a rollback schedules nothing', async () => {
    const m = await createMediumApp();
    try {
      const runs: unknown[] = [];
      const worker = m.app.get(MailWorker);
      worker.registerTask('test:digest', async (payload) => {
        runs.push(payload);
      });
      await worker.start();
      expect(() => worker.registerTask('test:late', async () => undefined)).toThrow(/after the mail worker started/);
      const mail = m.app.get(MailService);

      const rolledBack = new Error('rolled back');
      await expect(
        m.app.get(DataSource).transaction(async (manager) => {
          await mail.schedule(manager, 'test:digest', { n: 'never' });
          throw rolledBack;
        }),
      ).rejects.toBe(rolledBack);

      const runAt = new Date(Date.now() + 2000);
      for (let n = 0; n < 5; n += 1) {
        // Each answers when the one waiting job runs: the first's time, kept.
        const runsAt = await m.app
          .get(DataSource)
          .transaction((manager) =>
            mail.schedule(
              manager,
              'test:digest',
              { n },
              { jobKey: 'test-digest', jobKeyMode: 'preserve_run_at', runAt: new Date(runAt.getTime() + n * 1000) },
            ),
          );
        expect(runsAt.getTime()).toBe(runAt.getTime());
      }
      const [job] = await m.sql<{ run_at: Date }>(`SELECT run_at FROM graphile_worker.jobs WHERE key = 'test-digest'`);
      expect(job.run_at.getTime()).toBe(runAt.getTime());
      await eventually(async () => {
        expect(runs).toHaveLength(1);
        expect(await jobCount(m)).toBe(0);
      }, LONG);
      // The last request's payload, at the first request's time.
      expect(runs).toEqual([{ n: 4 }]);
      expect(await mail.lastEnqueuedAt(null, 'admin_digest')).toBeNull();
    } finally {
      await m.close();
    }
  });
});
