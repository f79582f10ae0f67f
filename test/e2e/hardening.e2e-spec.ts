import Redis from 'ioredis';
import { testRedis } from '../utils/test-redis';
import { PasswordHasher } from '../../src/passwords/password-hasher.service';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

const login = (t: TestApp, identifier: string, password: string, headers: Record<string, string> = {}) =>
  t.http.post('/api/login').set(headers).send({ username_or_email: identifier, password });

describe('account lockout (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOCKOUT_THRESHOLD: '3', LOCKOUT_MINUTES: '15' });
    await createActiveUser(t, 'first', true);
  });
  afterAll(() => t.close());

  it('locks after 3 consecutive failures and answers exactly as a wrong password, verify included', async () => {
    const user = await createActiveUser(t, 'locked');
    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push(await login(t, user.username, 'wrong-password').expect(401));
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    const locked = await login(t, user.username, user.password).expect(401);
    expect(locked.body).toEqual(wrong[0].body);
    expect(locked.headers['www-authenticate']).toBe(wrong[0].headers['www-authenticate']);
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
    const form = await t.http
      .post('/api/jwt/login')
      .type('form')
      .send({ username: user.email, password: user.password })
      .expect(400);
    expect(form.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
    // Locked for this address (the test client's), counted once more account-wide.
    const [row] = await t.sql<{ failures: number; locked_until: Date; account_count: number }>(
      `SELECT f.failures, f.locked_until, u.failed_login_count AS account_count
         FROM login_failures f JOIN users u ON u.id = f.user_id WHERE f.user_id = $1`,
      [user.id],
    );
    expect(row.failures).toBe(3);
    expect(row.account_count).toBe(3);
    expect(row.locked_until.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    await eventually(async () => {
      const audits = await t.sql(
        `SELECT 1 FROM audit_events WHERE event_type = 'login_failed' AND target_id = $1 AND details->>'reason' = 'locked'`,
        [user.id],
      );
      expect(audits.length).toBeGreaterThanOrEqual(2);
    });

    // Once the lock has run out, the right password works and the count starts again.
    await t.sql(`UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    await loginToken(t, user.username, user.password);
    expect(await t.sql('SELECT 1 FROM login_failures WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('counts consecutive failures only: a success resets the count', async () => {
    const user = await createActiveUser(t, 'resets');
    for (let round = 0; round < 3; round++) {
      await login(t, user.username, 'wrong-password').expect(401);
      await login(t, user.username, 'wrong-password').expect(401);
      await login(t, user.username, user.password).expect(200);
    }
  });

  it('does not lock on failures of unknown users', async () => {
    for (let i = 0; i < 5; i++) await login(t, 'nobody-by-that-name', 'wrong-password').expect(401);
  });
});

describe('rate limits per client address (e2e, in memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: '5', RATE_LIMIT_REGISTER_PER_MINUTE: '2', TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  it('shares one login budget between /login and /jwt/login, then answers 429 with Retry-After', async () => {
    const from = { 'X-Forwarded-For': '198.51.100.7' };
    for (let i = 0; i < 3; i++) await login(t, 'someone', 'wrong-password', from).expect(401);
    for (let i = 0; i < 2; i++)
      await t.http.post('/api/jwt/login').set(from).type('form').send({ username: 'someone', password: 'x' }).expect(400);
    const limited = await login(t, 'someone', 'wrong-password', from).expect(429);
    expect(limited.body).toEqual({ detail: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await t.http.post('/api/jwt/login').set(from).type('form').send({ username: 'someone', password: 'x' }).expect(429);
    // Another address has its own budget; registration has its own limit.
    await login(t, 'someone', 'wrong-password', { 'X-Forwarded-For': '198.51.100.8' }).expect(401);
    await register(t, newCredentials(), {}).set(from).expect(201);
    await eventually(async () => {
      const rows = await t.sql<{ ip: string }>(`SELECT ip FROM audit_events WHERE event_type = 'rate_limited'`);
      expect(rows).toEqual([{ ip: '198.51.100.7' }]);
    });
  });

  it('limits registrations to 2 a minute per address, changing nothing beyond', async () => {
    const from = { 'X-Forwarded-For': '198.51.100.20' };
    await register(t, newCredentials()).set(from).expect(201);
    await register(t, newCredentials()).set(from).expect(201);
    const before = await t.sql('SELECT count(*) FROM users');
    const limited = await register(t, newCredentials()).set(from).expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await t.sql('SELECT count(*) FROM users')).toEqual(before);
  });
});

describe('rate limits ignore X-Forwarded-For unless TRUST_PROXY is on (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('cannot be bypassed by forging X-Forwarded-For', async () => {
    for (let i = 0; i < 3; i++) await login(t, 'x', 'wrong-password', { 'X-Forwarded-For': `203.0.113.${i}` }).expect(401);
    await login(t, 'x', 'wrong-password', { 'X-Forwarded-For': '203.0.113.99' }).expect(429);
  });
});

describe('rate limits shared through Redis by two instances (e2e)', () => {
  it('counts hits from both instances against one budget', async () => {
    // TEST_REDIS_URL, or a private redis-server (test/utils/test-redis.ts).
    const server = await testRedis();
    const redisUrl = server.url;
    const redis = new Redis(redisUrl);
    const address = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
    await redis.del(`gatehouse:rl:login:${address}:hits`, `gatehouse:rl:login:${address}:block`);
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_LOGIN_PER_MINUTE: '4', TRUST_PROXY: 'true' };
    const [one, two] = [await createTestApp(env), await createTestApp(env)];
    try {
      const from = { 'X-Forwarded-For': address };
      await login(one, 'x', 'wrong-password', from).expect(401);
      await login(two, 'x', 'wrong-password', from).expect(401);
      await login(one, 'x', 'wrong-password', from).expect(401);
      await login(two, 'x', 'wrong-password', from).expect(401);
      const limited = await login(one, 'x', 'wrong-password', from).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await login(two, 'x', 'wrong-password', from).expect(429);
      expect(Number(await redis.get(`gatehouse:rl:login:${address}:hits`))).toBe(5);
    } finally {
      await one.close();
      await two.close();
      await redis.del(`gatehouse:rl:login:${address}:hits`, `gatehouse:rl:login:${address}:block`);
      redis.disconnect();
      await server.stop();
    }
  });
});
