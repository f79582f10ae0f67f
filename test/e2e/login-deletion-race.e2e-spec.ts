import { Client } from 'pg';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser } from '../utils/users';

/**
 * A login whose user is deleted while it runs: the password was right when it was checked, but
 * the session cannot belong to a user who no longer exists (docs/API.md §6 Public routes).
 */
describe('a login racing the deletion of its user (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createActiveUser(t, 'first', true);
  });
  afterAll(() => t.close());

  const ROUTES = [
    {
      route: '/api/login',
      send: (user: { username: string; password: string }) =>
        t.http.post('/api/login').send({ username_or_email: user.username, password: user.password }),
      status: 401,
      body: { detail: 'Invalid credentials' },
    },
    {
      route: '/api/jwt/login',
      send: (user: { username: string; password: string }) =>
        t.http.post('/api/jwt/login').type('form').send({ username: user.username, password: user.password }),
      status: 400,
      body: { detail: 'LOGIN_BAD_CREDENTIALS' },
    },
  ];

  it.each(ROUTES)('$route refuses the credentials (no 500, no session) when the deletion commits first', async (route) => {
    const user = await createActiveUser(t, 'doomed');
    // The deletion holds the user's row until it commits; the login gets past the password check
    // (a plain read sees the row) and then waits on that row to attach its session.
    const deleter = new Client({ connectionString: t.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query('DELETE FROM users WHERE id = $1', [user.id]);
      const login = route.send(user).then((response) => response);
      await eventually(async () => {
        const [waiting] = await t.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(waiting.n).toBeGreaterThan(0);
      }, 30_000);
      await deleter.query('COMMIT');
      const response = await login;
      expect({ status: response.status, body: response.body }).toEqual({ status: route.status, body: route.body });
    } finally {
      await deleter.end();
    }
    expect(await t.sql('SELECT 1 FROM sessions WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE event_type = 'login_succeeded' AND target_id = $1`, [user.id])).toEqual(
      [],
    );
  });
});
