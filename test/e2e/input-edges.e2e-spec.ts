import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

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

const extra = (name: string) => ({ loc: ['body', name], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });

describe('input at the edges of the contract (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;
  let adminAuth: { Authorization: string };
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createActiveUser(t, 'admin', true);
    adminAuth = { Authorization: `Bearer ${await loginToken(t, admin.username, admin.password)}` };
  });
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
});
