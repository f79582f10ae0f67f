import { PasswordHasher } from '../../src/passwords/password-hasher.service';
import type { TestApp } from '../utils/create-test-app';
import { declaredRoutes } from '../utils/routes';
import { type ActiveUser, appWithAdmin, createActiveUser, newCredentials, register } from '../utils/users';

/** Names every object inherits: unknown fields like any other (docs/API.md §1 Conventions). */
const INHERITED_NAMES = [
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
];

/** Sends a Buffer byte for byte (supertest would serialise it as JSON). */
const asIs = (body: unknown) => body as string;

const extra = (name: string) => ({ loc: ['body', name], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });

describe('input at the edges of the contract (e2e)', () => {
  let t: TestApp;
  let admin: ActiveUser;
  let adminAuth: { Authorization: string };
  beforeAll(async () => ({ t, admin, adminAuth } = await appWithAdmin()));
  afterAll(() => t.close());

  const count = async (table: string) => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  describe('unknown body fields named after Object.prototype members (422 extra_forbidden)', () => {
    it.each(INHERITED_NAMES)('POST /register refuses "%s" and creates nobody', async (name) => {
      const before = await count('users');
      const response = await register(t, newCredentials('proto'), { [name]: 'x' }).expect(422);
      expect(response.body).toEqual({ detail: [extra(name)] });
      expect(await count('users')).toBe(before);
    });

    it.each(INHERITED_NAMES)('PUT and PATCH /admin/users/{id} refuse "%s" and change nothing', async (name) => {
      const user = await createActiveUser(t, 'target');
      for (const method of ['put', 'patch'] as const) {
        const response = await t.http[method](`/api/admin/users/${user.id}`)
          .set(adminAuth)
          .send({ is_active: false, [name]: 1 })
          .expect(422);
        expect(response.body).toEqual({ detail: [extra(name)] });
      }
      const [row] = await t.sql<{ is_active: boolean }>('SELECT is_active FROM users WHERE id = $1', [user.id]);
      expect(row.is_active).toBe(true);
    });

    it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
      'every other body route refuses "%s"',
      async (name) => {
        const user = await createActiveUser(t, 'other');
        const fresh = newCredentials('made');
        const cases: Array<[string, () => Promise<{ status: number; body: unknown }>]> = [
          [
            'POST /login',
            () => t.http.post('/api/login').send({ username_or_email: user.username, password: user.password, [name]: 'x' }),
          ],
          [
            'POST /jwt/login',
            () =>
              t.http
                .post('/api/jwt/login')
                .type('form')
                .send({ username: user.username, password: user.password, [name]: 'x' }),
          ],
          [
            'POST /admin/users',
            () =>
              t.http
                .post('/api/admin/users')
                .set(adminAuth)
                .send({ ...fresh, [name]: 'x' }),
          ],
          [
            'promote',
            () =>
              t.http
                .post(`/api/admin/users/${user.id}/promote`)
                .set(adminAuth)
                .send({ [name]: 'x' }),
          ],
          [
            'approve',
            () =>
              t.http
                .post(`/api/admin/users/${user.id}/approve`)
                .set(adminAuth)
                .send({ approved: false, [name]: 'x' }),
          ],
        ];
        for (const [route, send] of cases) {
          const response = await send();
          expect({ route, status: response.status, body: response.body }).toEqual({
            route,
            status: 422,
            body: { detail: [extra(name)] },
          });
        }
        expect(await t.sql('SELECT 1 FROM users WHERE username = $1', [fresh.username])).toEqual([]);
        expect(await t.sql('SELECT 1 FROM sessions WHERE user_id = $1', [user.id])).toEqual([]);
        const [row] = await t.sql<{ is_superuser: boolean; approval_status: string }>(
          'SELECT is_superuser, approval_status FROM users WHERE id = $1',
          [user.id],
        );
        expect(row).toEqual({ is_superuser: false, approval_status: 'approved' });
      },
    );

    it('reports inherited names beside the other problems of the body, and refuses them in queries too', async () => {
      const response = await t.http.post('/api/register').send({ username: 'x', toString: 'x', constructor: 'y' }).expect(422);
      expect(response.body.detail).toEqual(
        expect.arrayContaining([
          { loc: ['body', 'email'], msg: 'Field required', type: 'missing' },
          extra('toString'),
          extra('constructor'),
        ]),
      );
      await t.http.get('/api/admin/users').query({ constructor: 'x' }).set(adminAuth).expect(400);
      await t.http.get('/api/admin/audit-events').query({ hasOwnProperty: 'x' }).set(adminAuth).expect(400);
    });

    it('still refuses __proto__ and constructor.prototype in the JSON parser, creating nobody', async () => {
      const before = await count('users');
      for (const poisoned of ['__proto__', 'constructor']) {
        const inner = poisoned === '__proto__' ? '{"is_superuser": true}' : '{"prototype": {"is_superuser": true}}';
        const body = `{${JSON.stringify(newCredentials()).slice(1, -1)}, "${poisoned}": ${inner}}`;
        const response = await t.http.post('/api/register').set('Content-Type', 'application/json').send(body);
        expect({ poisoned, status: response.status, body: response.body }).toEqual({
          poisoned,
          status: 422,
          body: { detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] },
        });
      }
      expect(await count('users')).toBe(before);
    });
  });

  describe('bodies that are not valid UTF-8 (400, nothing written)', () => {
    const NOT_UTF8 = {
      'a lone continuation byte': Buffer.from([0xff]),
      'a truncated sequence': Buffer.from([0xc3]),
      'an overlong encoding': Buffer.from([0xc0, 0xaf]),
      'an encoded surrogate': Buffer.from([0xed, 0xa0, 0x80]),
    };

    it.each(Object.entries(NOT_UTF8))('JSON with %s', async (_name, bytes) => {
      const before = await count('users');
      const credentials = newCredentials('bytes');
      const [head, tail] = JSON.stringify({ ...credentials, institution: 'MARK' }).split('MARK');
      const body = Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]);
      const response = await t.http
        .post('/api/register')
        .set('Content-Type', 'application/json')
        .serialize(asIs)
        .send(body)
        .expect(400);
      expect(response.body).toEqual({ detail: 'Request body is not valid UTF-8' });
      expect(await count('users')).toBe(before);
    });

    it.each(Object.entries(NOT_UTF8))('a form with %s', async (_name, bytes) => {
      const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
      try {
        const body = Buffer.concat([Buffer.from(`username=${admin.username}&password=`), bytes]);
        const response = await t.http
          .post('/api/jwt/login')
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .serialize(asIs)
          .send(body)
          .expect(400);
        expect(response.body).toEqual({ detail: 'Request body is not valid UTF-8' });
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });

    it('keeps text that is valid UTF-8, whatever the script, the form __proto__ refusal and the 64 KiB limit', async () => {
      const credentials = newCredentials('text');
      const institution = 'Université de Genève — 東京大学 😀';
      const created = await t.http
        .post('/api/register')
        .set('Content-Type', 'application/json; charset=utf-8')
        .serialize(asIs)
        .send(Buffer.from(JSON.stringify({ ...credentials, institution })))
        .expect(201);
      const [row] = await t.sql<{ institution: string }>('SELECT institution FROM users WHERE id = $1', [created.body.id]);
      expect(row.institution).toBe(institution);
      const form = await t.http
        .post('/api/jwt/login')
        .type('form')
        .send({ username: 'nobody-é', password: 'wrong-password' })
        .expect(400);
      expect(form.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
      const poisoned = await t.http.post('/api/jwt/login').type('form').send('username=a&password=b&__proto__=x').expect(400);
      expect(poisoned.body).toEqual({ detail: 'Object contains forbidden prototype property' });
      const tooLarge = await t.http
        .post('/api/register')
        .send({ ...newCredentials(), institution: 'x'.repeat(70_000) })
        .expect(413);
      expect(tooLarge.body).toEqual({ detail: 'Request body too large' });
    });
  });

  describe('path ids of any length (400 Invalid user ID format)', () => {
    it.each([3_000, 10_000])('answers 400 to a %i-character id on every {user_id} route', async (length) => {
      const routes = declaredRoutes(t.app).filter((route) => route.path.includes(':user_id'));
      expect(routes.length).toBeGreaterThanOrEqual(6);
      for (const route of routes) {
        for (const id of ['a'.repeat(length), 'f'.repeat(length)]) {
          const url = `/api${route.path.replace(':user_id', id)}`;
          const request = t.http[route.method.toLowerCase() as 'get'](url).set(adminAuth);
          const response = route.method === 'GET' || route.method === 'DELETE' ? await request : await request.send({});
          expect({ route: `${route.method} ${route.path}`, status: response.status, body: response.body }).toEqual({
            route: `${route.method} ${route.path}`,
            status: 400,
            body: { detail: 'Invalid user ID format' },
          });
        }
      }
    });
  });

  describe('audit-event times that do not exist (400 Invalid since / Invalid until)', () => {
    const IMPOSSIBLE = [
      '2026-02-30',
      '2026-02-31T00:00:00Z',
      '2026-04-31',
      '2026-06-31T12:00:00+02:00',
      '2025-02-29',
      '1900-02-29',
      '2026-01-01T24:00:00Z',
      '2026-01-01T25:00Z',
      '2026-01-01T10:60Z',
      '2026-01-01T10:00:60Z',
      '2026-01-01T10:00:00+24:00',
      '2026-01-01T10:00:00+05:60',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ];

    it.each(IMPOSSIBLE)('refuses %s', async (value) => {
      for (const name of ['since', 'until']) {
        const response = await t.http
          .get('/api/admin/audit-events')
          .query({ [name]: value })
          .set(adminAuth);
        expect({ name, value, status: response.status, body: response.body }).toEqual({
          name,
          value,
          status: 400,
          body: { detail: `Invalid ${name}` },
        });
      }
    });

    it('accepts leap days and time zones, and filters on the instant they name', async () => {
      const [{ id }] = await t.sql<{ id: string }>(
        `INSERT INTO audit_events (at, event_type, details) VALUES ('2024-02-29T12:00:00Z', 'admin_user_approved', '{}') RETURNING id`,
      );
      const found = async (query: Record<string, string>) => {
        const response = await t.http.get('/api/admin/audit-events').query(query).set(adminAuth).expect(200);
        return response.body.events.some((event: { id: number }) => event.id === Number(id));
      };
      expect(await found({ since: '2024-02-29' })).toBe(true);
      expect(await found({ since: '2024-02-29T13:00:00+01:00', until: '2024-03-01' })).toBe(true);
      expect(await found({ since: '2024-02-29T07:00:00.001-05:00' })).toBe(false);
      expect(await found({ until: '2024-02-29T12:00:00Z' })).toBe(false);
      expect(await found({ until: '2024-02-29T12:00:00.000001Z' })).toBe(true);
      expect(await found({ since: '2000-02-29', until: '2024-02-29T17:30:01+0530' })).toBe(true);
      expect(await found({ since: '2024-02-29T23:59:59.999Z' })).toBe(false);
      // Without an offset a time is UTC; an offset may be hours only.
      expect(await found({ since: '2024-02-29T12:00', until: '2024-02-29T12:00:01' })).toBe(true);
      expect(await found({ since: '2024-02-29T12:00:00.001' })).toBe(false);
      expect(await found({ since: '2024-02-29T17:00:00.001+05' })).toBe(false);
      expect(await found({ since: '2024-02-29T17:00:00+05' })).toBe(true);
    });
  });
});
