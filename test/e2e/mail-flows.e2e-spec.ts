import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

const PUBLIC_URL = 'https://gate.example.org';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Every log line of the app, to prove no token reaches them. */
function logSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const linkToken = (text: string, page: string) => {
  const match = new RegExp(`${PUBLIC_URL}/console/${page}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${page} link in:\n${text}`);
  return match[1];
};

describe('mails of the account flows, over real SMTP (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;
  let adminToken: string;
  const logs = logSink();
  const mailsTo = (address: string) => sink.received.filter((mail) => mail.rcptTo.includes(address.toLowerCase()));
  const waitForMailTo = (address: string, subject: RegExp) =>
    eventually(async () => {
      const found = mailsTo(address).find((mail) => subject.test(mail.parsed.subject ?? ''));
      expect(found).toBeDefined();
      return found!;
    }, 30_000);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(
      { SMTP_URL: sink.url, PUBLIC_URL, ADMIN_DIGEST_MINUTES: '15', LOG_LEVEL: 'info' },
      { logDestination: logs.stream },
    );
    admin = await createActiveUser(t, 'root', true);
    adminToken = await loginToken(t, admin.username, admin.password);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('tells a registrant their registration arrived, then the decision (with the reason when rejected)', async () => {
    const ada = newCredentials('ada');
    const grace = newCredentials('grace');
    const adaId = (await register(t, ada).expect(201)).body.id as string;
    const graceId = (await register(t, grace).expect(201)).body.id as string;
    const received = await waitForMailTo(ada.email, /We received your Gatehouse registration/);
    expect(received.parsed.text).toContain(ada.username);
    expect(received.parsed.html).toBeTruthy();

    await t.http.post(`/api/admin/users/${adaId}/approve`).set(bearer(adminToken)).send({ approved: true }).expect(200);
    const approved = await waitForMailTo(ada.email, /account is approved/);
    expect(approved.parsed.text).toContain(`${PUBLIC_URL}/console/`);

    await t.http
      .post(`/api/admin/users/${graceId}/approve`)
      .set(bearer(adminToken))
      .send({ approved: false, reason: 'We could not confirm your affiliation' })
      .expect(200);
    const rejected = await waitForMailTo(grace.email, /was not approved/);
    expect(rejected.parsed.text).toContain('We could not confirm your affiliation');
    expect(mailsTo(grace.email)).toHaveLength(2);
  });

  it('sends nothing for a change that rolled back', async () => {
    const users = path.join(t.dataDir, 'users');
    rmSync(users, { recursive: true, force: true });
    writeFileSync(users, 'not a folder');
    const lost = newCredentials('lost');
    try {
      await register(t, lost).expect(503);
    } finally {
      rmSync(users, { force: true });
    }
    const marker = newCredentials('marker');
    await register(t, marker).expect(201);
    await waitForMailTo(marker.email, /We received your Gatehouse registration/);
    expect(mailsTo(lost.email)).toHaveLength(0);
    expect(await t.sql(`SELECT 1 FROM mail_outbox WHERE recipient = $1`, [lost.email])).toEqual([]);
  });

  it('mails a security notice when the password changes', async () => {
    const bob = await createActiveUser(t, 'bob');
    const token = await loginToken(t, bob.username, bob.password);
    await t.http
      .post('/api/users/me/password')
      .set(bearer(token))
      .send({ current_password: bob.password, new_password: 'a brand new passphrase' })
      .expect(204);
    const notice = await waitForMailTo(bob.email, /password was changed/);
    expect(notice.parsed.text).not.toContain('a brand new passphrase');
  });

  it('forgot-password mails a link to an active account only; the link resets the password once; no token in logs or audit rows', async () => {
    const carol = await createActiveUser(t, 'carol');
    const unknown = await t.http.post('/api/forgot-password').send({ email: 'nobody-here@example.org' }).expect(202);
    const known = await t.http.post('/api/forgot-password').send({ email: carol.email.toUpperCase() }).expect(202);
    expect([unknown.text, known.text]).toEqual(['null', 'null']);
    const link = await waitForMailTo(carol.email, /Reset your Gatehouse password/);
    const token = linkToken(link.parsed.text ?? '', 'reset-password');
    await t.http.post('/api/reset-password').send({ token, password: 'carol has a new passphrase' }).expect(200);
    await loginToken(t, carol.username, 'carol has a new passphrase');
    await t.http.post('/api/reset-password').send({ token, password: 'and another one again' }).expect(400);
    // The account's mails after its registration notice: the link, then the notice of the reset, once each.
    const subjects = () => mailsTo(carol.email).map((mail) => mail.parsed.subject);
    await eventually(
      async () =>
        expect(subjects().sort()).toEqual([
          'Reset your Gatehouse password',
          'We received your Gatehouse registration',
          'Your Gatehouse password was reset',
        ]),
      30_000,
    );
    expect(mailsTo('nobody-here@example.org')).toHaveLength(0);

    const audit = await t.sql<{ event_type: string; details: unknown }>(
      `SELECT event_type, details FROM audit_events WHERE target_id = $1 ORDER BY id`,
      [carol.id],
    );
    expect(audit.map((row) => row.event_type)).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']));
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain(token.slice(0, 16));
    const rows = await t.sql(`SELECT * FROM account_tokens WHERE user_id = $1`, [carol.id]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('sends the superusers a digest of new pending registrations, each superuser alone in To:', async () => {
    const second = await createActiveUser(t, 'root2', true);
    const waiting = [newCredentials('dora'), newCredentials('erin')];
    for (const user of waiting) await register(t, user, { institution: 'Institute of Waiting' }).expect(201);
    // The digest job waits a little after the first registration of a quiet period; run it now.
    await eventually(async () => {
      const [job] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = 'admin-digest'`);
      expect(job.n).toBe(1);
    });
    await t
      .sql(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = 'admin-digest'`)
      .catch(() => t.sql(`UPDATE graphile_worker.jobs SET run_at = now() WHERE key = 'admin-digest'`));
    const digests = await eventually(async () => {
      const found = sink.received.filter((mail) => /waiting for approval/.test(mail.parsed.subject ?? ''));
      const toAdmins = found.filter((mail) =>
        [admin.email, second.email].some((email) => mail.rcptTo.includes(email.toLowerCase())),
      );
      expect(toAdmins.length).toBeGreaterThanOrEqual(2);
      return toAdmins;
    }, 30_000);
    for (const digest of digests) {
      expect(digest.rcptTo).toHaveLength(1);
      for (const user of waiting) expect(digest.parsed.text).toContain(user.username);
    }
  });
});

describe('the superusers’ digest job (e2e)', () => {
  it('is written by the first registration of a burst; the others, knowing it waits, leave its row alone', async () => {
    // An update of the job would lock its row until the registration's commit, and the burst's
    // registrations would queue on it one after another.
    const t = await createTestApp();
    try {
      await createActiveUser(t, 'root', true);
      const burst = [newCredentials('gina'), newCredentials('hugo'), newCredentials('ines')];
      for (const user of burst) await register(t, user).expect(201);
      expect(await t.sql(`SELECT revision FROM graphile_worker.jobs WHERE key = 'admin-digest'`)).toEqual([{ revision: 0 }]);
    } finally {
      await t.close();
    }
  });
});

describe('verification mails with EMAIL_VERIFICATION=required (e2e)', () => {
  it('sends a verification link at registration and on request; the link verifies the address', async () => {
    const sink = await startSmtpSink();
    const t = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL, EMAIL_VERIFICATION: 'required', ADMIN_DIGEST_MINUTES: '0' });
    try {
      await createActiveUser(t, 'root', true);
      const frida = newCredentials('frida');
      await register(t, frida).expect(201);
      const first = await eventually(async () => {
        const mail = sink.received.find(
          (m) => m.rcptTo.includes(frida.email) && /Confirm your email address/.test(m.parsed.subject ?? ''),
        );
        expect(mail).toBeDefined();
        return mail!;
      }, 30_000);
      await t.http.post('/api/request-verify-token').send({ email: 'nobody@example.org' }).expect(202);
      const token = linkToken(first.parsed.text ?? '', 'verify');
      const verified = await t.http.post('/api/verify').send({ token }).expect(200);
      expect(verified.body.is_verified).toBe(true);
      // Verified: a new request mails nothing more.
      await t.http.post('/api/request-verify-token').send({ email: frida.email }).expect(202);
      const marker = newCredentials('marker');
      await register(t, marker).expect(201);
      await eventually(async () => expect(sink.received.some((m) => m.rcptTo.includes(marker.email))).toBe(true), 30_000);
      expect(
        sink.received.filter((m) => m.rcptTo.includes(frida.email) && /Confirm your email address/.test(m.parsed.subject ?? '')),
      ).toHaveLength(1);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});

describe('forgot-password answers an unknown address like a known one (e2e)', () => {
  // A request takes a few milliseconds, so 10 % is a fraction of one: the median of many pairs keeps the
  // noise of a shared machine well below that.
  const ROUNDS = 160;
  it('in body and, comparing medians of interleaved requests, in time (within 10 %)', async () => {
    // Timed by the server itself (the access log's duration of each request, matched by request
    // id): what a client could observe, without the test client's own noise on a loaded machine.
    const logs = logSink();
    const t = await createTestApp(
      { RATE_LIMIT_REGISTER_PER_MINUTE: '1000000', LOG_LEVEL: 'info' },
      { logDestination: logs.stream },
    );
    try {
      const known = await createActiveUser(t, 'known');
      const ask = async (email: string, requestId: string) => {
        const answer = await t.http.post('/api/forgot-password').set('X-Request-Id', requestId).send({ email }).expect(202);
        expect(answer.text).toBe('null');
      };
      for (let i = 0; i < 5; i += 1) await ask(known.email, `warm-${i}`);
      // 160 pairs (at least 30 each), interleaved in both orders, so that whatever the machine does
      // meanwhile weighs on both.
      for (let i = 0; i < ROUNDS; i += 1) {
        const pair = [() => ask(known.email, `known-${i}`), () => ask(`unknown-${i}@example.org`, `unknown-${i}`)];
        for (const request of i % 2 === 0 ? pair : pair.reverse()) await request();
      }
      const durations = await eventually(async () => {
        const byId = new Map<string, number>();
        for (const line of logs.text().split('\n')) {
          if (!line.includes('request completed')) continue;
          const entry = JSON.parse(line) as { request_id: string; duration_ms: number };
          byId.set(entry.request_id, entry.duration_ms);
        }
        const pick = (prefix: string) => Array.from({ length: ROUNDS }, (_, i) => byId.get(`${prefix}-${i}`)!);
        const result = { known: pick('known'), unknown: pick('unknown') };
        expect([...result.known, ...result.unknown].every((value) => typeof value === 'number')).toBe(true);
        return result;
      });
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      const [a, b] = [median(durations.known), median(durations.unknown)];
      // The median of the paired differences: two requests sent one after the other see the same
      // load, so a busy moment of the machine cancels out instead of landing on one side.
      const paired = median(durations.known.map((known, i) => known - durations.unknown[i]));
      const ratio = Math.abs(paired) / Math.max(a, b);
      console.log(`[forgot-password] median known ${a} ms, unknown ${b} ms, paired difference ${paired} ms (${ROUNDS} pairs)`);
      // The figures are in the failure message when the answers differ by more than 10 %.
      expect({ knownMs: a, unknownMs: b, pairedDifferenceMs: paired, withinTenPercent: ratio <= 0.1 }).toEqual({
        knownMs: a,
        unknownMs: b,
        pairedDifferenceMs: paired,
        withinTenPercent: true,
      });
    } finally {
      await t.close();
    }
  });
});
