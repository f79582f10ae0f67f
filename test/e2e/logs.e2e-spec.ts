import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AuthService } from '../../src/auth/auth.service';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { loginToken, newCredentials, register } from '../utils/users';

const login = (t: TestApp, identifier: string, password: string) =>
  t.http.post('/api/login').send({ username_or_email: identifier, password });

/** A JSON POST whose body is written 100 ms after its headers. */
async function postSlowly(
  t: TestApp,
  path: string,
  body: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: unknown }> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }),
        );
      },
    );
    request.on('error', reject);
    request.flushHeaders();
    setTimeout(() => request.end(body), 100);
  });
}

/**
 * One app per file: Nest's `Logger` is process-wide state (the last app created sets it), so the
 * lines of two apps in one test file would mix.
 */
describe('request hygiene and logs (e2e, every log line captured)', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.org', LOG_LEVEL: 'trace' }, { logDestination: sink });
  });
  afterAll(() => t.close());

  it('sends security headers on every response', async () => {
    const response = await t.http.get('/api/config').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['strict-transport-security']).toContain('max-age=');
  });

  it('allows the configured origin with credentials, and no other', async () => {
    const allowed = await t.http
      .options('/api/login')
      .set('Origin', 'https://app.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,authorization');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const other = await t.http.get('/api/config').set('Origin', 'https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses bodies over 64 KiB with 413 and creates nothing', async () => {
    const response = await t.http
      .post('/api/register')
      .send({ ...newCredentials(), approval_note: 'x'.repeat(70 * 1024) })
      .expect(413);
    expect(response.body).toEqual({ detail: 'Request body too large' });
    expect(await t.sql('SELECT 1 FROM users')).toHaveLength(0);
  });

  it('answers a fault with 500, the request id and nothing more, and logs the stack under that id', async () => {
    const spy = jest.spyOn(t.app.get(AuthService), 'authConfig').mockImplementation(() => {
      throw new Error('simulated fault with a secret inside');
    });
    const response = await t.http.get('/api/config').expect(500);
    spy.mockRestore();
    const id = response.headers['x-request-id'];
    expect(response.body).toEqual({ detail: 'Internal server error', request_id: id });
    await eventually(async () => {
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 50 && l.request_id === id);
      expect(line).toBeDefined();
      expect(String(line!.msg)).toContain('simulated fault');
    });
    const access = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'request completed' && l.request_id === id);
    expect(access).toMatchObject({ route: '/api/config', status: 500, duration_ms: expect.any(Number) });
  });

  it('logs a fault under the request id when the request has a body (read after the request began)', async () => {
    const spy = jest.spyOn(t.app.get(AuthService), 'register').mockImplementation(() => {
      throw new Error('simulated fault after the body was read');
    });
    // The body arrives in a later packet than the headers, as a slow client's would.
    const response = await postSlowly(t, '/api/register', JSON.stringify(newCredentials()));
    spy.mockRestore();
    const id = response.headers['x-request-id'];
    expect({ status: response.status, body: response.body }).toEqual({
      status: 500,
      body: { detail: 'Internal server error', request_id: id },
    });
    await eventually(async () => {
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 50 && l.request_id === id);
      expect(line).toBeDefined();
      expect(String(line!.msg)).toContain('simulated fault after the body was read');
    });
  });

  it('keeps passwords, hashes, tokens and Authorization headers out of every log line and audit row', async () => {
    const admin = newCredentials('secretadmin');
    await register(t, admin).expect(201);
    const token = await loginToken(t, admin.username, admin.password);
    const formToken = (
      await t.http.post('/api/jwt/login').type('form').send({ username: admin.email, password: admin.password }).expect(200)
    ).body.access_token;
    const auth = { Authorization: `Bearer ${token}` };
    const created = newCredentials('secretuser');
    await t.http.post('/api/admin/users').set(auth).send(created).expect(201);
    await login(t, created.username, 'a-wrong-password-123').expect(401);
    await t.http.get('/api/whoami').set(auth).expect(200);
    await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}x`).expect(401);
    await t.http.get('/api/admin/audit-events').set(auth).expect(200);
    await t.http.post('/api/jwt/logout').set('Authorization', `Bearer ${formToken}`).expect(204);
    await t.http
      .post('/api/register')
      .send({ ...newCredentials(), password: 'short' })
      .expect(400);

    const hashes = (await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users')).map((r) => r.hashed_password);
    const audit = JSON.stringify(await t.sql('SELECT * FROM audit_events'));
    const logs = lines.join('\n');
    expect(lines.filter((line) => line.includes('request completed')).length).toBeGreaterThanOrEqual(10);
    for (const secret of [admin.password, created.password, 'a-wrong-password-123', token, formToken, ...hashes, 'Bearer ']) {
      expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
      expect({ secret, inAudit: audit.includes(secret) }).toEqual({ secret, inAudit: false });
    }
    expect(logs).not.toMatch(/\$argon2|eyJhbGciOi/);
    expect(audit).not.toMatch(/\$argon2|eyJhbGciOi/);
  });
});
