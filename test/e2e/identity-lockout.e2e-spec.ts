import { PasswordHasher } from '../../src/passwords/password-hasher.service';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

const PASSWORD = 'a-long-enough-password';
const login = (t: TestApp, identifier: string, password: string, headers: Record<string, string> = {}) =>
  t.http.post('/api/login').set(headers).send({ username_or_email: identifier, password });

describe('identities that cannot be confused (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createActiveUser(t, 'root', true);
    adminToken = await loginToken(t, admin.username, admin.password);
  });
  afterAll(() => t.close());

  const registerAs = (username: string, email: string) => register(t, { username, email, password: PASSWORD });

  it('refuses look-alikes of an existing username as taken (fullwidth, NFD, case)', async () => {
    await registerAs('rootx', 'rootx@example.org').expect(201);
    await registerAs('José', 'jose@example.org').expect(201);
    for (const [username, email] of [
      ['ｒｏｏｔｘ', 'fw@example.org'],
      ['ROOTX', 'upper@example.org'],
      ['Jose\u0301', 'nfd@example.org'],
    ]) {
      const answer = await registerAs(username, email).expect(400);
      expect(answer.body).toEqual({ detail: 'REGISTER_USER_ALREADY_EXISTS' });
    }
  });

  it('refuses invisible, format and blank-looking characters in usernames with 422', async () => {
    for (const username of ['rootx\u034f', 'rootx\u3164', 'rootx\ufe0f', 'root\u200bx', '\u2800\u2800', '\u3164']) {
      const answer = await registerAs(username, `${newCredentials().username}@example.org`).expect(422);
      expect(answer.body.detail[0]).toMatchObject({ loc: ['body', 'username'], type: 'value_error' });
    }
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username LIKE 'root%'`);
    expect(n).toBe(2); // root… and rootx only
  });

  it('stores a username in NFKC and answers it so', async () => {
    const created = await registerAs('ｍａｒｉｅ', 'marie@example.org').expect(201);
    expect(created.body.username).toBe('marie');
  });

  it('refuses format characters in emails, and treats a Unicode domain and its ASCII form as one address', async () => {
    await registerAs('alice', 'a@example.org').expect(201);
    for (const email of ['a\u200b@example.org', 'a\u202e@example.org']) {
      const answer = await registerAs(newCredentials().username, email).expect(422);
      expect(answer.body.detail[0]).toMatchObject({ loc: ['body', 'email'] });
    }
    await registerAs('ingrid', 'i@bücher.de').expect(201);
    await registerAs('ingrid2', 'i@xn--bcher-kva.de').expect(400);
    await registerAs('ingrid3', 'I@BÜCHER.DE').expect(400);
  });

  it('lets the owner of an address sign in by it even when someone tried it as a username first', async () => {
    await registerAs('x@ex.org', 'squatter@example.org').expect(201);
    await registerAs('owner', 'x@ex.org').expect(400);
    await registerAs('owner', 'X@EX.ORG').expect(400);
  });

  it('keeps one namespace when a username and an email race for the same address (10 pairs)', async () => {
    for (let pair = 0; pair < 10; pair += 1) {
      const address = `race${pair}@ex.org`;
      const [asUsername, asEmail] = await Promise.all([
        registerAs(address, `holder${pair}@example.org`),
        registerAs(`racer${pair}`, address),
      ]);
      expect([asUsername.status, asEmail.status].sort()).toEqual([201, 400]);
    }
  });

  it('keeps one namespace through admin creation too (5 pairs)', async () => {
    const create = (username: string, email: string) =>
      t.http.post('/api/admin/users').set('Authorization', `Bearer ${adminToken}`).send({ username, email, password: PASSWORD });
    for (let pair = 0; pair < 5; pair += 1) {
      const address = `adminrace${pair}@ex.org`;
      const [asUsername, asEmail] = await Promise.all([create(address, `h${pair}@example.org`), create(`ar${pair}`, address)]);
      expect([asUsername.status, asEmail.status].sort()).toEqual([201, 409]);
    }
  });

  it('refuses an admin rename onto another account\u2019s email, whatever its case or form', async () => {
    const victim = await registerAs('victim', 'victim@example.org').expect(201);
    const other = await registerAs('other', 'other@example.org').expect(201);
    const answer = await t.http
      .put(`/api/admin/users/${other.body.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'VICTIM@example.org' })
      .expect(409);
    expect(answer.body).toMatchObject({ code: 'USER_ALREADY_EXISTS' });
    expect(victim.body.username).toBe('victim');
  });
});

describe('lockout per account and address, unlock, fair hashing (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '3', LOCKOUT_ACCOUNT_THRESHOLD: '6', TRUST_PROXY: '1' });
    const admin = await createActiveUser(t, 'root', true);
    adminToken = await loginToken(t, admin.username, admin.password);
  });
  afterAll(() => t.close());

  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  it('one address locks the account only for itself', async () => {
    const user = await createActiveUser(t, 'target');
    for (let i = 0; i < 5; i += 1) await login(t, user.username, 'wrong-password', from('203.0.113.66')).expect(401);
    await login(t, user.username, user.password, from('203.0.113.66')).expect(401);
    await login(t, user.username, user.password, from('198.51.100.5')).expect(200);
  });

  it('many addresses lock it everywhere; POST /admin/users/{id}/unlock clears every counter', async () => {
    const user = await createActiveUser(t, 'target');
    for (let i = 0; i < 6; i += 1) await login(t, user.username, 'wrong-password', from(`192.0.2.${i + 1}`)).expect(401);
    await login(t, user.username, user.password, from('198.51.100.77')).expect(401);
    // Deactivating and reactivating does not clear a lock; unlock does.
    const auth = { Authorization: `Bearer ${adminToken}` };
    await t.http.put(`/api/admin/users/${user.id}`).set(auth).send({ is_active: false }).expect(200);
    await t.http.put(`/api/admin/users/${user.id}`).set(auth).send({ is_active: true }).expect(200);
    await login(t, user.username, user.password, from('198.51.100.77')).expect(401);
    const unlocked = await t.http.post(`/api/admin/users/${user.id}/unlock`).set(auth).expect(200);
    expect(unlocked.body).toEqual({ message: `User '${user.username}' unlocked` });
    await login(t, user.username, user.password, from('198.51.100.77')).expect(200);
    await login(t, user.username, user.password, from('192.0.2.1')).expect(200);
    const events = await t.sql(`SELECT actor_id FROM audit_events WHERE event_type = 'account_unlocked' AND target_id = $1`, [
      user.id,
    ]);
    expect(events).toHaveLength(1);
  });

  it('unlock answers 404 for an unknown user and 401/403 to others', async () => {
    await t.http
      .post('/api/admin/users/0f0e0d0c-0b0a-4908-8706-050403020100/unlock')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(404);
    const plain = await createActiveUser(t, 'plain');
    const token = await loginToken(t, plain.username, plain.password);
    await t.http.post(`/api/admin/users/${plain.id}/unlock`).set('Authorization', `Bearer ${token}`).expect(403);
    await t.http.post(`/api/admin/users/${plain.id}/unlock`).expect(401);
  });

  it('gives each address a bounded share of the hashing queue: a flood from one does not starve another', async () => {
    const victim = await createActiveUser(t, 'victim');
    const hasher = t.app.get(PasswordHasher);
    // Hold the hashing slot while the flood arrives, so that the queue really fills.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hold = hasher as unknown as { verifyNow: (...args: unknown[]) => Promise<unknown> };
    const original = hold.verifyNow.bind(hasher);
    const spy = jest.spyOn(hold, 'verifyNow').mockImplementation(async (...args) => {
      await gate;
      return original(...args);
    });
    try {
      let settled = 0;
      const flood = Array.from({ length: 24 }, () =>
        login(t, 'nobody-here', 'wrong-password', from('203.0.113.200')).then((answer) => {
          settled += 1;
          return answer;
        }),
      );
      // Every flood request is either answered (refused) or holds a place in the limiter.
      await eventually(async () => expect(settled + hasher.load.inFlight + hasher.load.queued).toBe(24), 20_000);
      let otherSettled: unknown = null;
      const other = login(t, victim.username, victim.password, from('198.51.100.9')).then((answer) => {
        otherSettled = [answer.status, answer.body];
        return answer;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(otherSettled).toBeNull();
      await eventually(async () => expect(hasher.load.inFlight + hasher.load.queued).toBe(24 - settled + 1), 20_000);
      release();
      const [floodAnswers, otherAnswer] = await Promise.all([Promise.all(flood), other]);
      expect(otherAnswer.status).toBe(200);
      const refused = floodAnswers.filter((answer) => answer.status === 503);
      expect(refused.length).toBeGreaterThanOrEqual(20);
      expect(refused[0].body).toEqual({ detail: 'Server busy, please retry shortly', code: 'LOGIN_BUSY' });
    } finally {
      release();
      spy.mockRestore();
    }
  });
});

describe('client address behind a proxy (e2e)', () => {
  it('with TRUST_PROXY=1 takes the right-most X-Forwarded-For entry, so a client cannot pick its own address', async () => {
    const t = await createTestApp({ TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_MINUTE: '5' });
    try {
      for (let i = 0; i < 5; i += 1) {
        await login(t, 'nobody', 'wrong-password', { 'X-Forwarded-For': `10.9.${i}.1, 198.51.100.44` }).expect(401);
      }
      await login(t, 'nobody', 'wrong-password', { 'X-Forwarded-For': '10.9.99.1, 198.51.100.44' }).expect(429);
      const rows = await t.sql<{ ip: string }>(`SELECT DISTINCT ip FROM audit_events WHERE event_type = 'login_failed'`);
      expect(rows).toEqual([{ ip: '198.51.100.44' }]);
    } finally {
      await t.close();
    }
  });

  it('with a list of proxy addresses, believes only those proxies', async () => {
    const t = await createTestApp({ TRUST_PROXY: '127.0.0.1, ::1, 10.0.0.0/8', RATE_LIMIT_LOGIN_PER_MINUTE: '100' });
    try {
      await login(t, 'nobody', 'wrong-password', { 'X-Forwarded-For': '203.0.113.9, 10.1.2.3' }).expect(401);
      // login_failed is written beside the answer, not before it (AuditService.recordDetached).
      await eventually(async () => {
        const rows = await t.sql<{ ip: string }>(`SELECT ip FROM audit_events WHERE event_type = 'login_failed'`);
        expect(rows).toEqual([{ ip: '203.0.113.9' }]);
      });
    } finally {
      await t.close();
    }
  });
});
