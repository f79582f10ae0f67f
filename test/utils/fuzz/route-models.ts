import fc from 'fast-check';
import { jsonText } from './bodies-and-urls';
import { nastyString, nastyValue } from './hostile-values';

/**
 * The model of every route for the fuzz suite (test/e2e/fuzz.e2e-spec.ts): its method, path, and
 * what a valid-looking body and query are. request-plans.ts mutates requests from there.
 */

/** Every generated password contains this mark, so one LIKE finds a password that leaked anywhere. */
export const PASSWORD_MARK = '~pw~';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface BodyModel {
  encoding: 'json' | 'form';
  /** Valid-looking values by field; `required` fields are always in a valid body. */
  fields: Record<string, fc.Arbitrary<unknown>>;
  required: string[];
  /** Weight of an unmutated body against 12 for mutated ones: low where a valid body costs an argon2 hash. */
  validWeight: number;
}

export interface RouteModel {
  method: Method;
  /** Relative to API_PREFIX, Nest style (`/admin/users/:user_id`). */
  path: string;
  body?: BodyModel;
  /** Valid-looking raw query values by key. */
  query?: Record<string, fc.Arbitrary<string>>;
  /** Share of the generated requests this route gets. */
  weight: number;
}

export interface Fixtures {
  admin: { id: string; username: string; email: string; password: string };
  victims: ReadonlyArray<{ username: string; email: string; password: string }>;
}

const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
const word = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...alnum), minLength: min, maxLength: max });
const usernameArb = fc.oneof(
  { weight: 4, arbitrary: word(3, 12).map((s) => `fz${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('Ａｄｍｉｎ', 'ǅemal', 'ü', 'a.b-c_d', 'x'.repeat(150)) },
);
const emailArb = fc.oneof(
  { weight: 4, arbitrary: word(3, 12).map((s) => `fz${s}@example.org`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('FZ@EXAMPLE.ORG', 'a+b@example.org', 'üñí@exämple.org', `${'a'.repeat(64)}@example.org`),
  },
);
/** Mostly too short or too long, rarely acceptable (an acceptable one costs an argon2 hash); always marked. */
const passwordArb = fc
  .oneof(
    fc.string({ maxLength: 3 }),
    fc.string({ minLength: 4, maxLength: 30 }),
    fc.constantFrom(125, 200, 1100).map((n) => 'y'.repeat(n)),
  )
  .map((s) => PASSWORD_MARK + s);
const freeText = fc.oneof(fc.constantFrom('please', 'University of Somewhere', null), nastyString);
const dateish = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-01-01',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.123456789Z',
    '2026-W01-1',
    '2026-123',
    '+002026-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2026-02-29',
    '2024-02-29T24:00:00Z',
    '0000-01-01',
    '2026-01-01T00:00:00+25:00',
    '2026-13-01',
    '20260101T000000Z',
    '2026-01-01T00:00Z',
    '2026',
    '2026-01',
    '275760-09-13T00:00:00Z',
    '1970-01-01T00:00:00-00:00',
    'today',
    'Tue Jan 01 2026',
    '1',
    '1 1',
    'infinity',
    '-infinity',
    'epoch',
    'allballs',
  ),
);
const b64json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : jsonText(value)).toString('base64url');
const SORTS = ['created_at', '-created_at', 'username', '-username', 'email', '-email'];

/** Every route of the app with what its valid-looking input is; the fuzzer mutates from there. */
export function routeModels(fixtures: Fixtures, liveIds: readonly string[]): RouteModel[] {
  const { admin, victims } = fixtures;
  const ids = fc.oneof(fc.uuid(), fc.constantFrom(...liveIds), nastyString);
  const identifier = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom(admin.username, admin.email.toUpperCase(), ...victims.flatMap((v) => [v.username, v.email])),
    },
    { weight: 3, arbitrary: nastyString },
  );
  const loginPassword = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(admin.password, ...victims.map((v) => v.password)) },
    { weight: 4, arbitrary: passwordArb },
  );
  const limit = fc.oneof(
    fc.integer({ min: -5, max: 1005 }).map(String),
    fc.constantFrom('1e2', '0x10', ' 5', '5 ', '1.0', '+5', '０'),
  );
  const userCursor = fc.oneof(
    fc
      .record({
        s: fc.oneof(fc.constantFrom(...SORTS), nastyString),
        v: fc.oneof(dateish, nastyString),
        i: fc.oneof(fc.uuid(), nastyString),
      })
      .map(b64json),
    fc.record({ s: fc.constant('created_at'), v: dateish, i: fc.uuid() }).map(b64json),
    nastyValue.map(b64json),
    nastyString,
  );
  const auditCursor = fc.oneof(
    fc
      .record({
        a: fc.oneof(dateish, nastyString),
        i: fc.oneof(fc.bigInt({ min: -1n, max: 10n ** 20n }).map(String), nastyString),
      })
      .map(b64json),
    nastyValue.map(b64json),
    nastyString,
  );
  const pendingCursor = fc.oneof(
    fc.record({ s: fc.constantFrom('pending', 'created_at'), v: dateish, i: fc.oneof(fc.uuid(), nastyString) }).map(b64json),
    userCursor,
  );
  const auditFilters = {
    event_type: fc.constantFrom('login_failed', 'token_rejected', 'user_registered', 'LOGIN_FAILED', 'login_failed ', ''),
    actor_id: ids,
    target_id: ids,
    since: dateish,
    until: dateish,
  };
  // Mailed tokens are 43 base64url characters; these are never issued ones.
  const accountToken = fc.oneof(
    fc.string({ unit: fc.constantFrom(...alnum, '-', '_'), minLength: 43, maxLength: 43 }),
    fc.constantFrom('', 'x', 'a'.repeat(5000)),
    nastyString,
  );
  const domain = fc.oneof(
    fc.constantFrom('example.org', 'Bücher.example', 'xn--bcher-kva.example', 'lab.example.org', 'EXAMPLE.ORG'),
    fc.constantFrom('localhost', '127.0.0.1', '[::1]', '*.example.org', 'https://example.org', 'example.org/x', 'a..b', ''),
    word(1, 20).map((w) => `fz${w}.example`),
    nastyString,
  );
  const update: BodyModel = {
    encoding: 'json',
    fields: {
      username: fc.oneof(usernameArb, fc.constant(admin.username.toUpperCase())),
      email: fc.oneof(emailArb, fc.constant(admin.email.toUpperCase())),
      is_active: fc.boolean(),
      is_superuser: fc.boolean(),
    },
    required: [],
    validWeight: 4,
  };
  const roleChange: BodyModel = { encoding: 'json', fields: { reason: freeText, user_id: ids }, required: [], validWeight: 4 };
  return [
    {
      method: 'POST',
      path: '/register',
      body: {
        encoding: 'json',
        fields: {
          email: emailArb,
          username: usernameArb,
          password: passwordArb,
          approval_note: freeText,
          institution: freeText,
          is_superuser: fc.constant(true),
          is_active: fc.constant(true),
          id: fc.uuid(),
          hashed_password: nastyString,
        },
        required: ['email', 'username', 'password'],
        validWeight: 1,
      },
      weight: 7,
    },
    {
      method: 'POST',
      path: '/login',
      body: {
        encoding: 'json',
        fields: { username_or_email: identifier, password: loginPassword },
        required: ['username_or_email', 'password'],
        validWeight: 1,
      },
      weight: 6,
    },
    {
      method: 'POST',
      path: '/jwt/login',
      body: {
        encoding: 'form',
        fields: {
          username: identifier,
          password: loginPassword,
          grant_type: fc.constantFrom('password', '', 'client_credentials'),
          scope: nastyString,
          client_id: nastyString,
          client_secret: nastyString,
        },
        required: ['username', 'password'],
        validWeight: 1,
      },
      weight: 6,
    },
    { method: 'POST', path: '/jwt/logout', weight: 3 },
    { method: 'GET', path: '/whoami', weight: 3 },
    { method: 'GET', path: '/config', weight: 3 },
    {
      method: 'GET',
      path: '/admin/users',
      query: {
        q: fc.oneof(fc.constantFrom('admin', 'a', '%', '_', 'example', 'FZ'), nastyString),
        status: fc.constantFrom('pending', 'approved', 'rejected', 'active', 'inactive', 'PENDING', 'deleted', ''),
        is_superuser: fc.constantFrom('true', 'false', '1', '0', 'yes', 'TRUE', ''),
        sort: fc.constantFrom(...SORTS, '--created_at', 'hashed_password', 'created_at;DROP TABLE users', ''),
        limit,
        cursor: userCursor,
      },
      weight: 9,
    },
    { method: 'GET', path: '/admin/stats', weight: 2.5 },
    {
      method: 'GET',
      path: '/admin/pending-approvals',
      query: {
        q: fc.oneof(fc.constantFrom('victim', 'a', '%', '_', 'example'), nastyString),
        institution: fc.oneof(fc.constantFrom('University of Somewhere', 'university of somewhere', ''), nastyString),
        limit,
        cursor: pendingCursor,
      },
      weight: 4,
    },
    {
      method: 'GET',
      path: '/admin/audit-events',
      query: { ...auditFilters, limit, cursor: auditCursor },
      weight: 9,
    },
    {
      method: 'GET',
      path: '/admin/audit-events/export',
      query: { format: fc.constantFrom('csv', 'ndjson', 'CSV', 'xml', ''), ...auditFilters },
      weight: 3,
    },
    { method: 'GET', path: '/admin/trusted-domains', weight: 1.5 },
    {
      method: 'POST',
      path: '/admin/trusted-domains',
      body: { encoding: 'json', fields: { domain, institution: freeText }, required: ['domain'], validWeight: 4 },
      weight: 3,
    },
    {
      method: 'POST',
      path: '/admin/users',
      body: {
        encoding: 'json',
        fields: {
          username: usernameArb,
          email: emailArb,
          password: passwordArb,
          is_superuser: fc.boolean(),
          is_active: fc.boolean(),
        },
        required: ['username', 'email', 'password'],
        validWeight: 1,
      },
      weight: 5,
    },
    { method: 'PUT', path: '/admin/users/:user_id', body: update, weight: 6 },
    { method: 'PATCH', path: '/admin/users/:user_id', body: update, weight: 6 },
    { method: 'POST', path: '/admin/users/:user_id/promote', body: roleChange, weight: 4.5 },
    { method: 'POST', path: '/admin/users/:user_id/demote', body: roleChange, weight: 4.5 },
    {
      method: 'POST',
      path: '/admin/users/:user_id/approve',
      body: { encoding: 'json', fields: { approved: fc.boolean(), reason: freeText }, required: ['approved'], validWeight: 4 },
      weight: 5,
    },
    {
      method: 'POST',
      path: '/admin/users/bulk-approve',
      body: {
        encoding: 'json',
        fields: {
          user_ids: fc.oneof(
            fc.array(ids, { minLength: 0, maxLength: 6 }),
            fc.constant(Array.from({ length: 501 }, () => liveIds[0])),
            nastyValue,
          ),
          approved: fc.boolean(),
          reason: freeText,
        },
        required: ['user_ids', 'approved'],
        validWeight: 4,
      },
      weight: 4,
    },
    { method: 'POST', path: '/admin/users/:user_id/unlock', weight: 2 },
    { method: 'DELETE', path: '/admin/trusted-domains/:domain', weight: 1.5 },
    { method: 'GET', path: '/users/me', weight: 2 },
    {
      method: 'PATCH',
      path: '/users/me',
      body: {
        encoding: 'json',
        fields: { institution: freeText, email: emailArb, username: usernameArb, is_superuser: fc.constant(true) },
        required: [],
        validWeight: 4,
      },
      weight: 3,
    },
    {
      method: 'POST',
      path: '/users/me/password',
      // Never the right current password: a success would change a fixture's password.
      body: {
        encoding: 'json',
        fields: { current_password: passwordArb, new_password: passwordArb },
        required: ['current_password', 'new_password'],
        validWeight: 2,
      },
      weight: 3,
    },
    { method: 'GET', path: '/users/me/sessions', weight: 2 },
    { method: 'DELETE', path: '/users/me/sessions/:session_id', weight: 2 },
    { method: 'POST', path: '/users/me/sessions/revoke-others', weight: 1.5 },
    ...(['/forgot-password', '/request-verify-token'] as const).map((path): RouteModel => ({
      method: 'POST',
      path,
      body: { encoding: 'json', fields: { email: fc.oneof(identifier, emailArb) }, required: ['email'], validWeight: 4 },
      weight: 3,
    })),
    {
      method: 'POST',
      path: '/reset-password',
      body: {
        encoding: 'json',
        fields: { token: accountToken, password: passwordArb },
        required: ['token', 'password'],
        validWeight: 2,
      },
      weight: 3,
    },
    {
      method: 'POST',
      path: '/verify',
      body: { encoding: 'json', fields: { token: accountToken }, required: ['token'], validWeight: 4 },
      weight: 3,
    },
    { method: 'GET', path: '/admin/users/:user_id/sessions', weight: 2 },
    // It ends the sessions of a live user, the shared admin's own too (the suite renews those).
    { method: 'DELETE', path: '/admin/users/:user_id/sessions', weight: 2 },
    // Last: it deletes the users the routes above work on.
    { method: 'DELETE', path: '/admin/users/:user_id', weight: 4.5 },
  ];
}
