import { Writable } from 'node:stream';
import { MailService } from '../../src/mail/mail.service';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';

/**
 * docs/API.md §9 and §13: a link's token appears only in the mail's body, never in a log line,
 * the outbox's error column, the job queue or the audit trail, even when the SMTP server quotes
 * the whole mail back in its refusal. One app per file: its every log line is captured.
 */
describe('mail and secrets (e2e, every log line captured)', () => {
  const TOKEN = 'Rt7_mZ2-secretLinkToken-9QwErTyUiOpAsDfGhJkL';
  let t: TestApp;
  let sink: SmtpSink;
  const lines: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    t = await createTestApp({ SMTP_URL: sink.url, MAIL_MAX_ATTEMPTS: '2', LOG_LEVEL: 'trace' }, { logDestination: destination });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('says at start where mail goes, without credentials', () => {
    expect(lines.some((line) => line.includes(`mails are sent through the SMTP server at smtp://127.0.0.1:${sink.port}`))).toBe(
      true,
    );
  });

  it('keeps the token out of logs, the outbox error, the queue and the audit trail when the server refuses the mail quoting it', async () => {
    sink.refuseQuotingBody(true);
    const queued = await t.app.get(MailService).enqueue(null, {
      kind: 'reset_password_link',
      to: 'ada@example.org',
      username: 'ada',
      token: TOKEN,
      validForSeconds: 3600,
    });
    const [row] = await eventually(async () => {
      const rows = await t.sql<{ status: string; last_error: string; attempts: number }>('SELECT * FROM mail_outbox');
      expect(rows[0].status).toBe('failed');
      return rows;
    }, 60_000);

    // The refusal was recorded (so the error path ran), without the token.
    expect(row.attempts).toBe(2);
    expect(row.last_error).toMatch(/550/);
    expect(row.last_error).not.toContain(TOKEN);
    expect(JSON.stringify(await t.sql('SELECT * FROM mail_outbox'))).not.toContain(TOKEN.slice(0, 16));
    expect(JSON.stringify(await t.sql('SELECT * FROM audit_events'))).not.toContain(TOKEN.slice(0, 16));
    expect(JSON.stringify(await t.sql('SELECT * FROM graphile_worker.jobs'))).not.toContain(TOKEN.slice(0, 16));
    expect(await t.sql(`SELECT details FROM audit_events WHERE event_type = 'mail_failed'`)).toEqual([
      { details: { kind: 'reset_password_link', message_id: queued.messageId } },
    ]);

    // The retry and the final failure were logged, without the token (nor any 16 characters of it).
    const retry = lines.find((line) => line.includes('Failed task') && line.includes('550'));
    const givenUp = lines.find((line) => line.includes('mail given up after its last attempt'));
    expect(retry).toBeDefined();
    expect(givenUp).toContain(queued.messageId);
    for (let i = 0; i + 16 <= TOKEN.length; i += 4) {
      const piece = TOKEN.slice(i, i + 16);
      expect(lines.filter((line) => line.includes(piece))).toEqual([]);
    }
  });
});
