import { MetricsServer } from '../../src/metrics/metrics.server';
import { createTestDatabase } from '../setup/test-database';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, newCredentials, register } from '../utils/users';

async function scrape(t: TestApp, token?: string): Promise<{ status: number; text: string }> {
  const { port } = t.app.get(MetricsServer).address()!;
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, text: await response.text() };
}

const loginOutcomes = (text: string) =>
  [...text.matchAll(/^gatehouse_login_attempts_total\{outcome="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).sort();

describe('metrics on their own listener (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '2' });
  });
  afterAll(() => t.close());

  it('are not served on the public port', async () => {
    await t.http.get('/api/metrics').expect(404);
    await t.http.get('/metrics').expect(404);
  });

  it('collapse login outcomes, so that they tell nothing about which accounts exist', async () => {
    const user = await createActiveUser(t, 'metered');
    const login = (identifier: string, password: string) =>
      t.http.post('/api/login').send({ username_or_email: identifier, password });
    await login('no-such-user', 'whatever-password').expect(401);
    await login(user.username, 'wrong-password').expect(401);
    await login(user.username, 'wrong-password').expect(401);
    await login(user.username, user.password).expect(401); // locked
    await login(user.username.toUpperCase(), 'wrong').expect(401);
    const metrics = await scrape(t);
    expect(metrics.status).toBe(200);
    expect(loginOutcomes(metrics.text)).toEqual(['failure=5']);
    expect(metrics.text).toContain('gatehouse_pending_approvals');
    expect(metrics.text).toContain('gatehouse_active_sessions');
    // A refusal's audit row is written after the answer (its time must not tell anything).
    await eventually(async () => expect((await scrape(t)).text).toMatch(/gatehouse_audit_events\{event_type="login_failed"\} 5/));
  });

  it('answer 404 for anything but GET /metrics', async () => {
    const { port } = t.app.get(MetricsServer).address()!;
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('metrics with METRICS_TOKEN (e2e)', () => {
  it('need the bearer token', async () => {
    const t = await createTestApp({ METRICS_TOKEN: 'scrape-secret-0123456789' });
    try {
      expect((await scrape(t)).status).toBe(401);
      expect((await scrape(t, 'wrong')).status).toBe(401);
      expect((await scrape(t, 'scrape-secret-0123456789')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('bootstrap of the first superuser (e2e)', () => {
  const BOOTSTRAP = {
    FIRST_USER_SUPERUSER: 'false',
    BOOTSTRAP_ADMIN_USERNAME: 'admin',
    BOOTSTRAP_ADMIN_EMAIL: 'admin@example.org',
    BOOTSTRAP_ADMIN_PASSWORD: 'a long admin password',
  };

  it('with FIRST_USER_SUPERUSER=false, the first registration waits like any other', async () => {
    const t = await createTestApp({ FIRST_USER_SUPERUSER: 'false' });
    try {
      const first = await register(t, newCredentials()).expect(201);
      expect(first.body).toMatchObject({ is_superuser: false, is_active: false, approval_status: 'pending' });
    } finally {
      await t.close();
    }
  });

  it('creates the configured superuser exactly once when three instances start at the same moment', async () => {
    const database = await createTestDatabase();
    const env = { ...BOOTSTRAP, DATABASE_URL: database.url };
    const instances = await Promise.all([createTestApp(env), createTestApp(env), createTestApp(env)]);
    try {
      const [one] = instances;
      const rows = await one.sql<{ username: string; is_superuser: boolean; is_active: boolean; approved_by: string | null }>(
        'SELECT username, is_superuser, is_active, approved_by FROM users',
      );
      expect(rows).toEqual([{ username: 'admin', is_superuser: true, is_active: true, approved_by: null }]);
      const events = await one.sql<{ details: { source: string } }>(
        `SELECT details FROM audit_events WHERE event_type = 'admin_user_creation'`,
      );
      expect(events.map((event) => event.details.source)).toEqual(['bootstrap']);
      await one.http
        .post('/api/login')
        .send({ username_or_email: 'admin', password: BOOTSTRAP.BOOTSTRAP_ADMIN_PASSWORD })
        .expect(200);
      // A stranger registering now is not made superuser.
      const stranger = await register(one, newCredentials()).expect(201);
      expect(stranger.body.is_superuser).toBe(false);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
      await database.drop();
    }
  });

  it('never promotes an existing account that holds the configured name', async () => {
    const database = await createTestDatabase();
    const early = await createTestApp({ DATABASE_URL: database.url, FIRST_USER_SUPERUSER: 'false' });
    await register(early, { username: 'admin', email: 'someone@example.org', password: 'a long password here' }).expect(201);
    await early.close();
    const later = await createTestApp({ ...BOOTSTRAP, DATABASE_URL: database.url });
    try {
      const rows = await later.sql('SELECT username, is_superuser FROM users');
      expect(rows).toEqual([{ username: 'admin', is_superuser: false }]);
    } finally {
      await later.close();
      await database.drop();
    }
  });
});
