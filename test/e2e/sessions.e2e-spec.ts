import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, loginToken } from '../utils/users';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('session lifetime (e2e, real clock)', () => {
  describe('idle timeout of 3 s', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ SESSION_IDLE_TIMEOUT_SECONDS: '3', SESSION_MAX_LIFETIME_SECONDS: '3600' });
      await createActiveUser(t, 'first', true);
    });
    afterAll(() => t.close());

    it('reports the live numbers in /config, unrounded', async () => {
      const response = await t.http.get('/api/config').expect(200);
      expect(response.body.inactivity_threshold_minutes).toBe(0.05);
      expect(response.body.max_token_lifetime_hours).toBe(1);
    });

    it('keeps a session alive while it is used and ends it after 3 s without activity', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      const auth = { Authorization: `Bearer ${token}` };
      // Activity every ~1 s for 4 s: longer than the idle timeout in total, never idle for 3 s.
      for (let i = 0; i < 4; i++) {
        await sleep(1000);
        await t.http.get('/api/whoami').set(auth).expect(200);
      }
      await sleep(3300);
      await t.http.get('/api/whoami').set(auth).expect(401);
      // token_rejected is written beside the 401, not before it.
      await eventually(async () => {
        const [row] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE event_type = 'token_rejected' AND details->>'reason' = 'idle' AND details->>'user_id' = $1`,
          [user.id],
        );
        expect(Number(row.n)).toBe(1);
      });
    });

    it('coalesces activity writes to at most one per touch interval (here 150 ms)', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      const [session] = await t.sql<{ id: string; last_seen_at: Date }>(
        'SELECT id, last_seen_at FROM sessions WHERE user_id = $1',
        [user.id],
      );
      await sleep(400);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      const [touched] = await t.sql<{ last_seen_at: Date }>('SELECT last_seen_at FROM sessions WHERE id = $1', [session.id]);
      expect(touched.last_seen_at.getTime()).toBeGreaterThan(session.last_seen_at.getTime());
      // Two requests in quick succession: the second does not move last_seen_at again.
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      const [again] = await t.sql<{ last_seen_at: Date }>('SELECT last_seen_at FROM sessions WHERE id = $1', [session.id]);
      expect(again.last_seen_at.getTime() - touched.last_seen_at.getTime()).toBeLessThan(150);
    });
  });

  describe('maximum lifetime of 4 s', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ SESSION_IDLE_TIMEOUT_SECONDS: '60', SESSION_MAX_LIFETIME_SECONDS: '4' });
      await createActiveUser(t, 'first', true);
    });
    afterAll(() => t.close());

    it('ends even an active session once it is 4 s old', async () => {
      const user = await createActiveUser(t);
      const token = await loginToken(t, user.username, user.password);
      const auth = { Authorization: `Bearer ${token}` };
      await t.http.get('/api/whoami').set(auth).expect(200);
      await sleep(1500);
      await t.http.get('/api/whoami').set(auth).expect(200);
      await sleep(2800);
      await t.http.get('/api/whoami').set(auth).expect(401);
      // A new login gives a new session that works.
      const fresh = await loginToken(t, user.username, user.password);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${fresh}`).expect(200);
    });
  });
});
