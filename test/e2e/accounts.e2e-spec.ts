import { DataSource } from 'typeorm';
import { AccountTokensService } from '../../src/users/account-tokens.service';
import { UsersService } from '../../src/users/users.service';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A reset or verification token as the mail would carry it. */
async function issueToken(t: TestApp, identifier: string, purpose: 'reset' | 'verify'): Promise<string> {
  const user = (await t.app.get(UsersService).findByLogin(identifier))!;
  return t.app.get(DataSource).transaction((manager) => t.app.get(AccountTokensService).issue(manager, user, purpose));
}

describe('accounts: /users/me (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '3' });
    await createActiveUser(t, 'root', true);
  });
  afterAll(() => t.close());

  it('shows and changes the own profile; anything but institution is 422', async () => {
    const ada = await createActiveUser(t, 'ada');
    const token = await loginToken(t, ada.username, ada.password);
    const me = await t.http.get('/api/users/me').set(bearer(token)).expect(200);
    expect(Object.keys(me.body).sort()).toEqual(
      [
        'approval_note',
        'approval_status',
        'created_at',
        'email',
        'id',
        'institution',
        'is_active',
        'is_approved',
        'is_superuser',
        'is_verified',
        'username',
      ].sort(),
    );
    expect(me.body).toMatchObject({ id: ada.id, username: ada.username, is_superuser: false, approval_status: 'approved' });
    const changed = await t.http.patch('/api/users/me').set(bearer(token)).send({ institution: 'Lab of Light' }).expect(200);
    expect(changed.body.institution).toBe('Lab of Light');
    await t.http.patch('/api/users/me').set(bearer(token)).send({ institution: null }).expect(200);
    for (const body of [{ is_superuser: true }, { username: 'other' }, { email: 'x@example.org' }, { is_active: false }]) {
      const refused = await t.http.patch('/api/users/me').set(bearer(token)).send(body).expect(422);
      expect(refused.body.detail[0].type).toBe('extra_forbidden');
    }
    const [row] = await t.sql<{ is_superuser: boolean; institution: string | null }>(
      'SELECT is_superuser, institution FROM users WHERE id = $1',
      [ada.id],
    );
    expect(row).toEqual({ is_superuser: false, institution: null });
    await t.http.get('/api/users/me').expect(401);
  });

  it('changes the password: the other sessions end, this one stays, the new password works', async () => {
    const ada = await createActiveUser(t, 'ada');
    const [keep, other] = [await loginToken(t, ada.username, ada.password), await loginToken(t, ada.username, ada.password)];
    await t.http
      .post('/api/users/me/password')
      .set(bearer(keep))
      .send({ current_password: ada.password, new_password: 'a brand new passphrase' })
      .expect(204);
    await t.http.get('/api/whoami').set(bearer(keep)).expect(200);
    await t.http.get('/api/whoami').set(bearer(other)).expect(401);
    await t.http.post('/api/login').send({ username_or_email: ada.username, password: ada.password }).expect(401);
    await loginToken(t, ada.username, 'a brand new passphrase');
    const events = await t.sql<{ details: { sessions_ended: number } }>(
      `SELECT details FROM audit_events WHERE event_type = 'password_changed' AND target_id = $1`,
      [ada.id],
    );
    expect(events).toEqual([{ details: { sessions_ended: 1 } }]);
  });

  it('refuses a wrong current password (counted as a failed login) and a weak new one', async () => {
    const ada = await createActiveUser(t, 'ada');
    const token = await loginToken(t, ada.username, ada.password);
    const change = (current: string, next: string) =>
      t.http.post('/api/users/me/password').set(bearer(token)).send({ current_password: current, new_password: next });
    const weak = await change(ada.password, 'short').expect(400);
    expect(weak.body).toEqual({ detail: { code: 'UPDATE_USER_INVALID_PASSWORD', reason: expect.any(String) } });
    const same = await change(ada.password, ada.username).expect(400);
    expect(same.body.detail.code).toBe('UPDATE_USER_INVALID_PASSWORD');
    for (let i = 0; i < 3; i += 1) {
      const wrong = await change('not my password', 'a brand new passphrase').expect(400);
      expect(wrong.body).toEqual({ detail: 'Invalid current password', code: 'INVALID_CURRENT_PASSWORD' });
    }
    // Locked for this address now: even the right current password gets the same answer.
    const locked = await change(ada.password, 'a brand new passphrase').expect(400);
    expect(locked.body).toEqual({ detail: 'Invalid current password', code: 'INVALID_CURRENT_PASSWORD' });
    await t.http.post('/api/login').send({ username_or_email: ada.username, password: ada.password }).expect(401);
    await t.http.post('/api/users/me/password').set(bearer(token)).send({ current_password: ada.password }).expect(422);
  });

  it('lists the own live sessions, newest first, marks this one, and ends one or all the others', async () => {
    const ada = await createActiveUser(t, 'ada');
    const bob = await createActiveUser(t, 'bob');
    const first = await loginToken(t, ada.username, ada.password);
    const second = await t.http
      .post('/api/login')
      .set('User-Agent', 'second-device')
      .send({ username_or_email: ada.username, password: ada.password })
      .expect(200);
    const third = await loginToken(t, ada.username, ada.password);
    const listed = await t.http.get('/api/users/me/sessions').set(bearer(third)).expect(200);
    expect(listed.body.sessions).toHaveLength(3);
    expect(listed.body.sessions.map((s: { current: boolean }) => s.current)).toEqual([true, false, false]);
    expect(listed.body.sessions[1]).toMatchObject({ user_agent: 'second-device', ip: expect.any(String) });
    expect(Object.keys(listed.body.sessions[0]).sort()).toEqual([
      'created_at',
      'current',
      'id',
      'ip',
      'last_seen_at',
      'user_agent',
    ]);

    // Another user's session, an unknown one and a malformed id are all "not found".
    const bobToken = await loginToken(t, bob.username, bob.password);
    const bobSession = (await t.http.get('/api/users/me/sessions').set(bearer(bobToken))).body.sessions[0].id;
    for (const id of [bobSession, '0f0e0d0c-0b0a-4908-8706-050403020100', 'not-a-session']) {
      const missing = await t.http.delete(`/api/users/me/sessions/${id}`).set(bearer(third)).expect(404);
      expect(missing.body).toEqual({ detail: 'Session not found' });
    }
    await t.http.get('/api/whoami').set(bearer(bobToken)).expect(200);

    const secondId = listed.body.sessions[1].id;
    await t.http.delete(`/api/users/me/sessions/${secondId}`).set(bearer(third)).expect(204);
    await t.http.get('/api/whoami').set(bearer(second.body.access_token)).expect(401);
    await t.http.delete(`/api/users/me/sessions/${secondId}`).set(bearer(third)).expect(404);
    const others = await t.http.post('/api/users/me/sessions/revoke-others').set(bearer(third)).expect(200);
    expect(others.body).toEqual({ revoked: 1 });
    await t.http.get('/api/whoami').set(bearer(first)).expect(401);
    await t.http.get('/api/whoami').set(bearer(third)).expect(200);
    const audits = await t.sql<{ details: { reason: string } }>(
      `SELECT details FROM audit_events WHERE event_type = 'session_revoked' AND target_id = $1 ORDER BY id`,
      [ada.id],
    );
    expect(audits.map((row) => row.details.reason)).toEqual(['by_owner', 'by_owner']);
  });
});

describe('password reset with a mailed token (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '2' });
    await createActiveUser(t, 'root', true);
  });
  afterAll(() => t.close());

  const reset = (token: string, password: string) => t.http.post('/api/reset-password').send({ token, password });

  it('sets the password, ends every session, clears the lockout, and the token works once', async () => {
    const ada = await createActiveUser(t, 'ada');
    const session = await loginToken(t, ada.username, ada.password);
    for (let i = 0; i < 2; i += 1) {
      await t.http.post('/api/login').send({ username_or_email: ada.username, password: 'wrong-password' }).expect(401);
    }
    const token = await issueToken(t, ada.username, 'reset');
    const done = await reset(token, 'a brand new passphrase').expect(200);
    expect(done.text).toBe('null');
    expect(done.headers['content-type']).toMatch(/application\/json/);
    await t.http.get('/api/whoami').set(bearer(session)).expect(401);
    await loginToken(t, ada.username, 'a brand new passphrase');
    expect((await reset(token, 'another passphrase here').expect(400)).body).toEqual({ detail: 'RESET_PASSWORD_BAD_TOKEN' });
    const [event] = await t.sql<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE event_type = 'password_reset' AND target_id = $1`,
      [ada.id],
    );
    expect(event.details).toEqual({ source: 'link', sessions_ended: 1, lockout_cleared: true });
  });

  it('refuses tampered, expired, outdated, deactivated and deleted-user tokens, and a weak password without using the token', async () => {
    const ada = await createActiveUser(t, 'ada');
    const token = await issueToken(t, ada.username, 'reset');
    expect((await reset(`${token.slice(0, -2)}xx`, 'a brand new passphrase').expect(400)).body).toEqual({
      detail: 'RESET_PASSWORD_BAD_TOKEN',
    });
    expect((await reset('short', 'a brand new passphrase').expect(400)).body.detail).toBe('RESET_PASSWORD_BAD_TOKEN');
    const weak = await reset(token, 'tiny').expect(400);
    expect(weak.body).toEqual({ detail: { code: 'RESET_PASSWORD_INVALID_PASSWORD', reason: expect.any(String) } });
    await reset(token, 'a brand new passphrase').expect(200); // the weak attempt did not use it

    const expired = await issueToken(t, ada.username, 'reset');
    await t.sql(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    await reset(expired, 'yet another passphrase').expect(400);

    // Issued before a password change: void.
    const outdated = await issueToken(t, ada.username, 'reset');
    const session = await loginToken(t, ada.username, 'a brand new passphrase');
    await t.http
      .post('/api/users/me/password')
      .set(bearer(session))
      .send({ current_password: 'a brand new passphrase', new_password: 'changed in between' })
      .expect(204);
    await reset(outdated, 'yet another passphrase').expect(400);

    // Deactivated after the token was issued: void, also once reactivated.
    const bob = await createActiveUser(t, 'bob');
    const bobToken = await issueToken(t, bob.username, 'reset');
    const root = await createActiveUser(t, 'root2', true);
    const rootToken = await loginToken(t, root.username, root.password);
    await t.http.put(`/api/admin/users/${bob.id}`).set(bearer(rootToken)).send({ is_active: false }).expect(200);
    await reset(bobToken, 'yet another passphrase').expect(400);
    await t.http.put(`/api/admin/users/${bob.id}`).set(bearer(rootToken)).send({ is_active: true }).expect(200);
    const carol = await createActiveUser(t, 'carol');
    const carolToken = await issueToken(t, carol.username, 'reset');
    await t.sql('DELETE FROM users WHERE id = $1', [carol.id]);
    await reset(carolToken, 'yet another passphrase').expect(400);
    await reset(bobToken, 'yet another passphrase').expect(400);
    await t.http.post('/api/reset-password').send({ token: 'x' }).expect(422);
  });
});

describe('email verification required (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ EMAIL_VERIFICATION: 'required' });
    await createActiveUser(t, 'root', true);
  });
  afterAll(() => t.close());

  it('registers unverified; login says so after the password; the token verifies once', async () => {
    const grace = newCredentials('grace');
    const created = await register(t, grace).expect(201);
    expect(created.body.is_verified).toBe(false);
    await t.sql(`UPDATE users SET is_active = true, is_approved = true, approval_status = 'approved' WHERE id = $1`, [
      created.body.id,
    ]);
    await t.http.post('/api/login').send({ username_or_email: grace.username, password: 'wrong-password' }).expect(401);
    const refused = await t.http
      .post('/api/login')
      .send({ username_or_email: grace.username, password: grace.password })
      .expect(403);
    expect(refused.body).toEqual({ detail: 'Email not verified', code: 'EMAIL_NOT_VERIFIED' });
    const form = await t.http
      .post('/api/jwt/login')
      .type('form')
      .send({ username: grace.email, password: grace.password })
      .expect(400);
    expect(form.body).toEqual({ detail: 'LOGIN_USER_NOT_VERIFIED' });

    const token = await issueToken(t, grace.username, 'verify');
    const verified = await t.http.post('/api/verify').send({ token }).expect(200);
    expect(verified.body).toMatchObject({ id: created.body.id, is_verified: true, email: grace.email });
    await loginToken(t, grace.username, grace.password);
    expect((await t.http.post('/api/verify').send({ token }).expect(400)).body).toEqual({ detail: 'VERIFY_USER_BAD_TOKEN' });
    const again = await issueToken(t, grace.username, 'verify');
    expect((await t.http.post('/api/verify').send({ token: again }).expect(400)).body).toEqual({
      detail: 'VERIFY_USER_ALREADY_VERIFIED',
    });
  });

  it('voids a verification token when the address changed since it was issued', async () => {
    const henry = newCredentials('henry');
    const created = await register(t, henry).expect(201);
    const token = await issueToken(t, henry.username, 'verify');
    await t.sql(`UPDATE users SET email = 'henry.new@example.org', email_key = 'henry.new@example.org' WHERE id = $1`, [
      created.body.id,
    ]);
    await t.http.post('/api/verify').send({ token }).expect(400);
  });

  it('approves at once a pending user who verifies an address under a trusted domain, and no one else', async () => {
    const admin = await createActiveUser(t, 'domains', true);
    await t.sql('UPDATE users SET is_verified = true WHERE id = $1', [admin.id]);
    await t.http
      .post('/api/admin/trusted-domains')
      .set(bearer(await loginToken(t, admin.username, admin.password)))
      .send({ domain: 'Partner-Lab.example', institution: 'Partner Lab' })
      .expect(201);
    const person = (prefix: string, domain: string) => {
      const credentials = newCredentials(prefix);
      return { ...credentials, email: `${credentials.username}@${domain}` };
    };
    const ada = person('ada', 'cell.partner-lab.example'); // a subdomain of the trusted one
    const bob = person('bob', 'partner-lab.example.org'); // only looks alike
    const cyd = person('cyd', 'partner-lab.example'); // rejected before verifying
    const ids: Record<string, string> = {};
    for (const credentials of [ada, bob, cyd]) ids[credentials.username] = (await register(t, credentials).expect(201)).body.id;
    await t.sql(`UPDATE users SET approval_status = 'rejected' WHERE id = $1`, [ids[cyd.username]]);

    for (const credentials of [ada, bob, cyd]) {
      const token = await issueToken(t, credentials.username, 'verify');
      await t.http.post('/api/verify').send({ token }).expect(200);
    }
    const states = await t.sql<{ username: string; approval_status: string; is_active: boolean; approved_by: string | null }>(
      `SELECT username, approval_status, is_active, approved_by FROM users WHERE id = ANY($1::uuid[]) ORDER BY username`,
      [Object.values(ids)],
    );
    expect(states).toEqual([
      { username: ada.username, approval_status: 'approved', is_active: true, approved_by: null },
      { username: bob.username, approval_status: 'pending', is_active: false, approved_by: null },
      { username: cyd.username, approval_status: 'rejected', is_active: false, approved_by: null },
    ]);
    const events = await t.sql<{ target_id: string; actor_id: string | null; details: unknown }>(
      `SELECT target_id, actor_id, details FROM audit_events WHERE event_type = 'auto_approved'`,
    );
    expect(events).toEqual([{ target_id: ids[ada.username], actor_id: null, details: { domain: 'partner-lab.example' } }]);
    const mails = await t.sql<{ kind: string }>(`SELECT kind FROM mail_outbox WHERE recipient = $1 ORDER BY created_at`, [
      ada.email,
    ]);
    expect(mails.map((mail) => mail.kind)).toContain('account_approved');
    await loginToken(t, ada.username, ada.password);
  });
});
