import type { TestApp } from '../utils/create-test-app';
import { type ActiveUser, appWithAdmin, createActiveUser } from '../utils/users';

/** docs/API.md §10 Administration: a user's sessions. */
describe("a user's sessions (e2e)", () => {
  let t: TestApp;
  let admin: ActiveUser;
  let adminAuth: { Authorization: string };
  beforeAll(async () => ({ t, admin, adminAuth } = await appWithAdmin()));
  afterAll(() => t.close());

  const UNKNOWN = '0f0e0d0c-0b0a-4908-8706-050403020100';
  const login = async (user: { username: string; password: string }, agent: string) => {
    const response = await t.http
      .post('/api/login')
      .set('User-Agent', agent)
      .send({ username_or_email: user.username, password: user.password })
      .expect(200);
    return { Authorization: `Bearer ${response.body.access_token as string}` };
  };

  describe('GET and DELETE /api/admin/users/{id}/sessions', () => {
    it('lists live sessions only, newest first, in the session shape', async () => {
      const user = await createActiveUser(t, 'sessions');
      await login(user, 'first-agent');
      await login(user, 'second-agent');
      const ended = await login(user, 'ended-agent');
      await t.http.post('/api/jwt/logout').set(ended).expect(204);
      await login(user, 'idle-agent');
      // Idle past the timeout (20 minutes by default) and one past the maximum lifetime: not live.
      await t.sql(`UPDATE sessions SET last_seen_at = now() - interval '21 minutes' WHERE user_agent = 'idle-agent'`);
      await login(user, 'old-agent');
      await t.sql(`UPDATE sessions SET created_at = now() - interval '2 hours' WHERE user_agent = 'old-agent'`);
      await t.sql(`UPDATE sessions SET created_at = created_at - interval '1 second' WHERE user_agent = 'first-agent'`);

      const response = await t.http.get(`/api/admin/users/${user.id}/sessions`).set(adminAuth).expect(200);
      expect(response.body.sessions.map((s: { user_agent: string }) => s.user_agent)).toEqual(['second-agent', 'first-agent']);
      const [row] = await t.sql<{ id: string }>(`SELECT id FROM sessions WHERE user_agent = 'second-agent' AND user_id = $1`, [
        user.id,
      ]);
      expect(response.body.sessions[0]).toEqual({
        id: row.id,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        last_seen_at: expect.stringMatching(/Z$/),
        ip: expect.any(String),
        user_agent: 'second-agent',
      });
      const empty = await createActiveUser(t, 'nosessions');
      expect((await t.http.get(`/api/admin/users/${empty.id}/sessions`).set(adminAuth).expect(200)).body).toEqual({
        sessions: [],
      });
    });

    it('ends every live session at once, answers the count, and audits by_admin', async () => {
      const user = await createActiveUser(t, 'revoked');
      const first = await login(user, 'a');
      const second = await login(user, 'b');
      await t.http.get('/api/whoami').set(first).expect(200);
      const response = await t.http
        .delete(`/api/admin/users/${user.id.replace(/-/g, '')}/sessions`)
        .set(adminAuth)
        .set('User-Agent', 'admin-console')
        .expect(200);
      expect(response.body).toEqual({ revoked: 2 });
      await t.http.get('/api/whoami').set(first).expect(401);
      await t.http.get('/api/whoami').set(second).expect(401);
      const [audit] = await t.sql<{ actor_id: string; details: unknown; user_agent: string }>(
        `SELECT actor_id, details, user_agent FROM audit_events WHERE event_type = 'session_revoked' AND target_id = $1`,
        [user.id],
      );
      expect(audit).toEqual({ actor_id: admin.id, details: { reason: 'by_admin', sessions: 2 }, user_agent: 'admin-console' });
      expect((await t.http.get(`/api/admin/users/${user.id}/sessions`).set(adminAuth).expect(200)).body).toEqual({
        sessions: [],
      });
      // Again: nothing left to end.
      expect((await t.http.delete(`/api/admin/users/${user.id}/sessions`).set(adminAuth).expect(200)).body).toEqual({
        revoked: 0,
      });
      // The user logs in again as usual.
      await t.http
        .get('/api/whoami')
        .set(await login(user, 'c'))
        .expect(200);
    });

    it("ends the caller's own session too when the user is the caller", async () => {
      const other = await createActiveUser(t, 'selfadmin', true);
      const auth = await login(other, 'self');
      expect((await t.http.delete(`/api/admin/users/${other.id}/sessions`).set(auth).expect(200)).body).toEqual({ revoked: 1 });
      await t.http.get('/api/whoami').set(auth).expect(401);
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      for (const method of ['get', 'delete'] as const) {
        expect((await t.http[method](`/api/admin/users/${UNKNOWN}/sessions`).set(adminAuth).expect(404)).body).toEqual({
          detail: 'User not found',
        });
        expect((await t.http[method]('/api/admin/users/nope/sessions').set(adminAuth).expect(400)).body).toEqual({
          detail: 'Invalid user ID format',
        });
      }
    });
  });
});
