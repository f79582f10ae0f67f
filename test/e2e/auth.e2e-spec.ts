import { hash as bcryptHash } from 'bcryptjs';
import * as argon2 from 'argon2';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { decodePayload, forgeToken } from '../utils/tokens';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

describe('auth routes (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;

  beforeAll(async () => {
    t = await createTestApp();
    // The first user of a fresh database becomes superuser; take that slot once.
    admin = await createActiveUser(t, 'admin', true);
  });
  afterAll(() => t.close());

  const auditCount = async (eventType: string, targetId?: string) =>
    Number(
      (
        await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE event_type = $1 AND ($2::uuid IS NULL OR target_id = $2::uuid)`,
          [eventType, targetId ?? null],
        )
      )[0].n,
    );

  describe('GET /api/config', () => {
    it('derives its numbers from the configuration', async () => {
      const response = await t.http.get('/api/config').expect(200);
      expect(response.body).toEqual({
        inactivity_threshold_minutes: 20,
        max_token_lifetime_hours: 1,
        features: { inactivity_based_expiration: true },
      });
    });
  });

  describe('POST /api/register', () => {
    it('creates a pending, inactive user and answers 201 without the hash', async () => {
      const credentials = newCredentials();
      const response = await register(t, { ...credentials }, { approval_note: 'please', institution: 'Uni' }).expect(201);
      expect(response.body).toMatchObject({
        username: credentials.username,
        email: credentials.email,
        is_active: false,
        is_superuser: false,
        is_verified: true,
        is_approved: false,
        approval_note: 'please',
        institution: 'Uni',
        approved_by: null,
        approved_at: null,
      });
      expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(response.body)).not.toMatch(/hash|argon2|\$2b\$/i);
      const [row] = await t.sql<{ approval_status: string; hashed_password: string }>(
        'SELECT approval_status, hashed_password FROM users WHERE id = $1',
        [response.body.id],
      );
      expect(row.approval_status).toBe('pending');
      expect(row.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await auditCount('user_registered', response.body.id)).toBe(1);
    });

    it('never applies privileged fields sent by the client', async () => {
      const response = await register(t, newCredentials(), {
        is_superuser: true,
        is_active: true,
        is_approved: true,
        is_verified: false,
        id: '00000000-0000-4000-8000-000000000000',
        hashed_password: 'x',
      }).expect(201);
      expect(response.body).toMatchObject({ is_superuser: false, is_active: false, is_approved: false, is_verified: true });
      expect(response.body.id).not.toBe('00000000-0000-4000-8000-000000000000');
    });

    it('refuses a duplicate username or email, case-insensitively, with 400 REGISTER_USER_ALREADY_EXISTS', async () => {
      const credentials = newCredentials();
      await register(t, credentials).expect(201);
      const sameEmail = await register(t, { ...newCredentials(), email: credentials.email.toUpperCase() }).expect(400);
      expect(sameEmail.body).toEqual({ detail: 'REGISTER_USER_ALREADY_EXISTS' });
      const sameName = await register(t, { ...newCredentials(), username: credentials.username.toUpperCase() }).expect(400);
      expect(sameName.body).toEqual({ detail: 'REGISTER_USER_ALREADY_EXISTS' });
      const rows = await t.sql('SELECT 1 FROM users WHERE lower(email) = lower($1)', [credentials.email]);
      expect(rows).toHaveLength(1);
    });

    it.each([
      ['too short', () => 'short', 'at least 8'],
      ['too long', () => 'x'.repeat(129), 'at most 128'],
      ['equal to the username', (c: { username: string }) => c.username, 'username'],
      ['equal to the email', (c: { email: string }) => c.email, 'email'],
    ])('refuses a password %s with 400 REGISTER_INVALID_PASSWORD', async (_name, password, reason) => {
      const credentials = newCredentials('pwpolicy1234');
      const response = await register(t, { ...credentials, password: password(credentials) }).expect(400);
      expect(response.body.detail.code).toBe('REGISTER_INVALID_PASSWORD');
      expect(response.body.detail.reason).toContain(reason);
      expect(await t.sql('SELECT 1 FROM users WHERE username = $1', [credentials.username])).toHaveLength(0);
    });

    it('accepts exactly 8 and exactly 128 characters', async () => {
      await register(t, { ...newCredentials(), password: 'abcdefgh' }).expect(201);
      await register(t, { ...newCredentials(), password: 'é'.repeat(128) }).expect(201);
    });

    it.each([
      ['a missing field', { email: 'm@example.org', password: 'long-enough-pw' }, ['body', 'username'], 'missing'],
      [
        'a bad email',
        { email: 'not-an-email', username: 'bademail', password: 'long-enough-pw' },
        ['body', 'email'],
        'value_error',
      ],
      ['a wrong type', { email: 'w@example.org', username: 42, password: 'long-enough-pw' }, ['body', 'username'], 'string_type'],
      [
        'an unknown field',
        { email: 'u@example.org', username: 'unk', password: 'long-enough-pw', role: 'admin' },
        ['body', 'role'],
        'extra_forbidden',
      ],
    ])('answers 422 in FastAPI shape for %s', async (_name, body, loc, type) => {
      const response = await t.http.post('/api/register').send(body).expect(422);
      expect(response.body.detail).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc, type, msg: expect.any(String) })]),
      );
    });

    it('answers 422 for malformed JSON and for a non-object body', async () => {
      const bad = await t.http.post('/api/register').set('content-type', 'application/json').send('{"email":').expect(422);
      expect(bad.body.detail[0].type).toBe('json_invalid');
      const array = await t.http.post('/api/register').send([1, 2]).expect(422);
      expect(array.body.detail[0].loc).toEqual(['body']);
    });
  });

  describe('POST /api/login', () => {
    it('logs in by username or by email in any case, opening a session', async () => {
      const user = await createActiveUser(t);
      const response = await t.http
        .post('/api/login')
        .send({ username_or_email: user.email.toUpperCase(), password: user.password })
        .expect(200);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        user: {
          id: user.id,
          username: user.username,
          email: user.email,
          is_active: true,
          is_superuser: false,
          is_approved: true,
        },
      });
      const claims = decodePayload(response.body.access_token);
      expect(claims).toEqual({ sub: user.id, sid: expect.any(String), iat: expect.any(Number), exp: expect.any(Number) });
      expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
      const sessions = await t.sql('SELECT id FROM sessions WHERE user_id = $1 AND id = $2', [user.id, claims.sid]);
      expect(sessions).toHaveLength(1);
      await t.http.post('/api/login').send({ username_or_email: user.username, password: user.password }).expect(200);
      expect(await auditCount('login_succeeded', user.id)).toBe(2);
    });

    it('gives the same 401 for a wrong password and an unknown user', async () => {
      const user = await createActiveUser(t);
      const wrong = await t.http
        .post('/api/login')
        .send({ username_or_email: user.username, password: 'wrong-password' })
        .expect(401);
      const unknown = await t.http
        .post('/api/login')
        .send({ username_or_email: 'nobody-here', password: 'wrong-password' })
        .expect(401);
      expect(wrong.body).toEqual({ detail: 'Invalid credentials' });
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.headers['www-authenticate']).toBe('Bearer');
      await eventually(async () => expect(await auditCount('login_failed', user.id)).toBeGreaterThanOrEqual(1));
      // An unknown identifier (often a password typed into the wrong field) is not stored.
      await eventually(async () => {
        const rows = await t.sql<{ details: Record<string, unknown> }>(
          `SELECT details FROM audit_events WHERE event_type = 'login_failed' AND target_id IS NULL`,
        );
        expect(rows.length).toBeGreaterThanOrEqual(1);
        expect(JSON.stringify(rows)).not.toContain('nobody-here');
      });
    });

    it('checks the password before revealing approval state', async () => {
      const credentials = newCredentials();
      await register(t, credentials).expect(201);
      await t.http.post('/api/login').send({ username_or_email: credentials.username, password: 'wrong-password' }).expect(401);
      const pending = await t.http
        .post('/api/login')
        .send({ username_or_email: credentials.username, password: credentials.password })
        .expect(403);
      expect(pending.body).toEqual({ detail: 'Account pending approval. Please wait for admin approval.' });
    });

    it('answers 403 ACCOUNT_REJECTED for a rejected account and 400 for an inactive one', async () => {
      const rejected = newCredentials();
      const created = await register(t, rejected).expect(201);
      await t.sql(`UPDATE users SET approval_status = 'rejected' WHERE id = $1`, [created.body.id]);
      const response = await t.http
        .post('/api/login')
        .send({ username_or_email: rejected.username, password: rejected.password })
        .expect(403);
      expect(response.body).toEqual({ detail: 'Account registration was rejected', code: 'ACCOUNT_REJECTED' });

      const inactive = await createActiveUser(t);
      await t.sql('UPDATE users SET is_active = false WHERE id = $1', [inactive.id]);
      const answer = await t.http
        .post('/api/login')
        .send({ username_or_email: inactive.username, password: inactive.password })
        .expect(400);
      expect(answer.body).toEqual({ detail: 'Inactive user' });
    });

    it('answers 422 for a malformed body', async () => {
      const response = await t.http.post('/api/login').send({ username: 'x', password: 'y' }).expect(422);
      expect(response.body.detail.map((issue: { loc: string[] }) => issue.loc.join('.'))).toEqual(
        expect.arrayContaining(['body.username_or_email', 'body.username']),
      );
    });

    it('verifies legacy bcrypt ($2a$, $2b$, $2y$) and weaker argon2 hashes, then re-hashes them', async () => {
      for (const variant of ['2a', '2b', '2y'] as const) {
        const user = await createActiveUser(t, `legacy${variant}`);
        const legacy = (await bcryptHash(user.password, 4)).replace(/^\$2b\$/, `$${variant}$`);
        await t.sql('UPDATE users SET hashed_password = $2 WHERE id = $1', [user.id, legacy]);
        await loginToken(t, user.username, user.password);
        const [row] = await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = $1', [user.id]);
        expect(row.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        await loginToken(t, user.username, user.password);
      }
      const weak = await createActiveUser(t, 'weakargon');
      const weakHash = await argon2.hash(weak.password, { type: argon2.argon2i, memoryCost: 4096, timeCost: 1, parallelism: 1 });
      await t.sql('UPDATE users SET hashed_password = $2 WHERE id = $1', [weak.id, weakHash]);
      await t.http.post('/api/login').send({ username_or_email: weak.username, password: 'not-it-at-all' }).expect(401);
      expect(
        (await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = $1', [weak.id]))[0]
          .hashed_password,
      ).toBe(weakHash);
      await loginToken(t, weak.username, weak.password);
      const [after] = await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = $1', [weak.id]);
      expect(after.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });
  });

  describe('POST /api/jwt/login', () => {
    it('accepts the OAuth2 password form and returns a bearer token', async () => {
      const user = await createActiveUser(t);
      const response = await t.http
        .post('/api/jwt/login')
        .type('form')
        .send({ username: user.email, password: user.password, grant_type: 'password' })
        .expect(200);
      expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'bearer' });
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${response.body.access_token}`).expect(200);
    });

    it('answers 400 LOGIN_BAD_CREDENTIALS for wrong, unknown, pending, rejected and inactive', async () => {
      const pending = newCredentials();
      const created = await register(t, pending).expect(201);
      const inactive = await createActiveUser(t);
      await t.sql('UPDATE users SET is_active = false WHERE id = $1', [inactive.id]);
      const rejected = newCredentials();
      const rejectedUser = await register(t, rejected).expect(201);
      await t.sql(`UPDATE users SET approval_status = 'rejected' WHERE id = $1`, [rejectedUser.body.id]);
      for (const [username, password] of [
        [admin.username, 'wrong-password'],
        ['nobody-at-all', 'whatever-password'],
        [pending.username, pending.password],
        [rejected.username, rejected.password],
        [inactive.username, inactive.password],
      ]) {
        const response = await t.http.post('/api/jwt/login').type('form').send({ username, password }).expect(400);
        expect(response.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
      }
      expect(created.body.is_active).toBe(false);
    });

    it('answers 422 when a form field is missing', async () => {
      const response = await t.http.post('/api/jwt/login').type('form').send({ username: 'x' }).expect(422);
      expect(response.body.detail[0]).toMatchObject({ loc: ['body', 'password'], type: 'missing' });
    });
  });

  describe('GET /api/whoami and POST /api/jwt/logout', () => {
    it('answers 401 with WWW-Authenticate when there is no token', async () => {
      for (const call of [t.http.get('/api/whoami'), t.http.post('/api/jwt/logout')]) {
        const response = await call.expect(401);
        expect(response.body).toEqual({ detail: 'Unauthorized' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('returns the caller, then logout kills the token at once', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      const me = await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toEqual({ username: user.username, id: user.id, is_superuser: false, is_active: true });
      await t.http.post('/api/jwt/logout').set('Authorization', `Bearer ${token}`).expect(204);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
      await t.http.post('/api/jwt/logout').set('Authorization', `Bearer ${token}`).expect(401);
      expect(await auditCount('logout', user.id)).toBe(1);
      await eventually(async () => {
        const [revoked] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE event_type = 'token_rejected' AND details->>'reason' = 'revoked' AND details->>'user_id' = $1`,
          [user.id],
        );
        expect(Number(revoked.n)).toBeGreaterThanOrEqual(1);
      });
    });

    it('refuses the token of a user who was deactivated or deleted', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      await t.sql('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
      const other = await createActiveUser(t);
      const otherToken = await loginToken(t, other.username, other.password);
      await t.sql('DELETE FROM users WHERE id = $1', [other.id]);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${otherToken}`).expect(401);
    });

    it('refuses forged and malformed tokens', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      const claims = decodePayload(token);
      const [header, payload, signature] = token.split('.');
      const now = Math.floor(Date.now() / 1000);
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: admin.id })).toString('base64url')}.${signature}`;
      const forged = [
        forgeToken({ alg: 'none', typ: 'JWT' }, claims, TEST_JWT_SECRET).split('.').slice(0, 2).join('.') + '.',
        forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-another-secret-another-secret'),
        tampered,
        forgeToken({ alg: 'RS256', typ: 'JWT' }, claims, TEST_JWT_SECRET),
        forgeToken({ alg: 'ES256', typ: 'JWT' }, claims, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS512', typ: 'JWT' }, claims, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT', kid: '../../etc/passwd' }, claims, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT', jku: 'http://127.0.0.1/keys' }, claims, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT' }, { sub: user.id, iat: now, exp: now + 60 }, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: admin.id }, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: 'not-a-uuid' }, TEST_JWT_SECRET),
        forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 100, exp: now - 10 }, TEST_JWT_SECRET),
        'not.a.jwt',
        `${header}.${payload}`,
        'x'.repeat(5000),
      ];
      for (const bad of forged) {
        const response = await t.http.get('/api/whoami').set('Authorization', `Bearer ${bad}`);
        expect({ bad, status: response.status }).toEqual({ bad, status: 401 });
        expect(response.body).toEqual({ detail: 'Unauthorized' });
      }
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      await eventually(async () => {
        const [expired] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE event_type = 'token_rejected' AND details->>'reason' = 'expired'`,
        );
        expect(Number(expired.n)).toBeGreaterThanOrEqual(1);
      });
    });
  });

  it('answers unknown routes with 404 {"detail": "Not Found"} and tags every response with a request id', async () => {
    const response = await t.http.get('/api/nope').expect(404);
    expect(response.body).toEqual({ detail: 'Not Found' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await t.http.get('/api/config').set('X-Request-Id', 'client-chosen-id.42').expect(200);
    expect(echoed.headers['x-request-id']).toBe('client-chosen-id.42');
    const replaced = await t.http.get('/api/config').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(replaced.headers['x-request-id']).not.toBe('bad id with spaces');
  });
});
