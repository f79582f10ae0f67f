import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { NASTY_STRINGS } from './hostile-values';

/**
 * Headers for the fuzz suite (test/e2e/fuzz.e2e-spec.ts): header values as they arrive off the
 * wire, headers unrelated to auth, JWTs written by hand, and the Authorization header variants
 * (valid, malformed and forged) with who each one should authenticate as.
 */

/** Header values as a server reads them off the wire: printable ASCII and obs-text (latin1), nothing else. */
export function asHeaderValue(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('latin1')
      // eslint-disable-next-line no-control-regex -- stripping control characters on purpose
      .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')
  );
}

const headerChar = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  )
  .map((code) => String.fromCharCode(code));

export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 64 }),
  fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 5000).map(asHeaderValue)),
);

/** Headers that are not about auth or content: request ids, agents, forwarding, encodings. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'x-request-id': headerText,
    'user-agent': headerText,
    accept: fc.oneof(fc.constantFrom('*/*', 'application/xml', 'text/html', '', 'application/json;q=0'), headerText),
    'x-forwarded-for': fc.constantFrom('203.0.113.7', '::1', 'garbage', '1.1.1.1, 2.2.2.2', '999.999.999.999', '', 'unknown'),
    'accept-language': headerText,
    origin: fc.constantFrom('https://evil.example', 'null', ''),
    cookie: headerText,
    'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'GET'),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// Authorization headers

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT written by hand with any header, payload and HMAC (or none). */
export function jwt(
  header: unknown,
  payload: unknown,
  secret: string | null,
  hmac: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return secret === null ? `${input}.` : `${input}.${createHmac(hmac, secret).update(input).digest('base64url')}`;
}

export interface Identity {
  token: string;
  sub: string;
  sid: string;
}

export interface TokenContext {
  admin: Identity;
  user: Identity;
  secret: string;
  /** A session of the plain user that is revoked, and one idle for hours. */
  revokedSid: string;
  idleSid: string;
}

/** Who a header authenticates as when the app is right; `live` headers carry a live session that logout would end. */
export interface AuthVariant {
  name: string;
  kind: 'none' | 'admin' | 'user' | 'forged';
  live?: 'admin' | 'user';
  header(ctx: TokenContext): string | undefined;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (id: Identity, extra: Record<string, unknown> = {}) => ({
  sub: id.sub,
  sid: id.sid,
  iat: now(),
  exp: now() + 3600,
  ...extra,
});
const HS = { alg: 'HS256', typ: 'JWT' };

export const AUTH_VARIANTS: readonly AuthVariant[] = [
  { name: 'no header', kind: 'none', header: () => undefined },
  { name: 'empty header', kind: 'none', header: () => '' },
  { name: 'admin', kind: 'admin', live: 'admin', header: (c) => `Bearer ${c.admin.token}` },
  { name: 'user', kind: 'user', live: 'user', header: (c) => `Bearer ${c.user.token}` },
  { name: 'admin, lowercase scheme', kind: 'admin', live: 'admin', header: (c) => `bearer ${c.admin.token}` },
  { name: 'admin, several spaces', kind: 'admin', live: 'admin', header: (c) => `Bearer    ${c.admin.token}` },
  { name: 'user, tab', kind: 'user', live: 'user', header: (c) => `Bearer\t${c.user.token}` },
  {
    name: 'user, re-signed with extra claims',
    kind: 'user',
    live: 'user',
    header: (c) => `Bearer ${jwt(HS, claims(c.user, { is_superuser: true, role: 'admin' }), c.secret)}`,
  },
  { name: "'Bearer' alone", kind: 'forged', header: () => 'Bearer' },
  { name: "'Bearer ' and nothing", kind: 'forged', header: () => 'Bearer ' },
  { name: 'BEARER shouting, garbage', kind: 'forged', header: () => 'BEARER x.y.z' },
  { name: 'token without scheme', kind: 'forged', header: (c) => c.admin.token },
  { name: 'Basic credentials', kind: 'forged', header: () => `Basic ${Buffer.from('admin:password').toString('base64')}` },
  { name: 'Token scheme', kind: 'forged', header: (c) => `Token ${c.admin.token}` },
  { name: 'two tokens', kind: 'forged', header: (c) => `Bearer ${c.admin.token}, Bearer ${c.user.token}` },
  { name: 'token and trailing junk', kind: 'forged', header: (c) => `Bearer ${c.admin.token} junk` },
  { name: 'quoted token', kind: 'forged', header: (c) => `Bearer "${c.admin.token}"` },
  {
    name: 'signature tampered',
    kind: 'forged',
    header: (c) => `Bearer ${c.admin.token.slice(0, -2)}${c.admin.token.endsWith('AA') ? 'BB' : 'AA'}`,
  },
  { name: 'signature removed', kind: 'forged', header: (c) => `Bearer ${c.admin.token.split('.').slice(0, 2).join('.')}.` },
  {
    name: 'admin payload, user signature',
    kind: 'forged',
    header: (c) => `Bearer ${c.admin.token.split('.').slice(0, 2).join('.')}.${c.user.token.split('.')[2]}`,
  },
  { name: 'alg none', kind: 'forged', header: (c) => `Bearer ${jwt({ alg: 'none', typ: 'JWT' }, claims(c.admin), null)}` },
  { name: 'alg None', kind: 'forged', header: (c) => `Bearer ${jwt({ alg: 'None' }, claims(c.admin), null)}` },
  {
    name: 'alg none with a signature',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ alg: 'none' }, claims(c.admin), c.secret)}`,
  },
  {
    name: 'wrong key',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin), 'not-the-secret-but-long-enough-0123456789')}`,
  },
  { name: 'empty key', kind: 'forged', header: (c) => `Bearer ${jwt(HS, claims(c.admin), '')}` },
  {
    name: 'HS512 with the right key',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ alg: 'HS512', typ: 'JWT' }, claims(c.admin), c.secret, 'sha512')}`,
  },
  {
    name: 'RS256 header, HMAC signature',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ alg: 'RS256', typ: 'JWT' }, claims(c.admin), c.secret)}`,
  },
  {
    name: 'kid header',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ ...HS, kid: '../../../../dev/null' }, claims(c.admin), c.secret)}`,
  },
  {
    name: 'jku header',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ ...HS, jku: 'https://evil.example/jwks.json' }, claims(c.admin), c.secret)}`,
  },
  {
    name: 'jwk header',
    kind: 'forged',
    header: (c) => `Bearer ${jwt({ ...HS, jwk: { kty: 'oct', k: 'AAAA' } }, claims(c.admin), c.secret)}`,
  },
  {
    name: 'expired',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { iat: now() - 7200, exp: now() - 3600 }), c.secret)}`,
  },
  {
    name: 'exp as a string',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { exp: '9999999999' }), c.secret)}`,
  },
  { name: 'exp huge', kind: 'forged', header: (c) => `Bearer ${jwt(HS, claims(c.admin, { exp: 1e300 }), c.secret)}` },
  {
    name: 'no exp',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, { sub: c.admin.sub, sid: c.admin.sid, iat: now() }, c.secret)}`,
  },
  {
    name: 'nbf in the future',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { nbf: now() + 3600 }), c.secret)}`,
  },
  {
    name: 'no sid',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, { sub: c.admin.sub, iat: now(), exp: now() + 60 }, c.secret)}`,
  },
  { name: 'sid is SQL', kind: 'forged', header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: "' OR 1=1 --" }), c.secret)}` },
  { name: 'sid is a number', kind: 'forged', header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: 1 }), c.secret)}` },
  {
    name: 'sid uppercase',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: c.admin.sid.toUpperCase() }), c.secret)}`,
  },
  {
    name: 'sid with NUL',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: `${c.admin.sid}\u0000` }), c.secret)}`,
  },
  {
    name: 'unknown sid',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: '0f0e0d0c-0b0a-4908-8706-050403020100' }), c.secret)}`,
  },
  {
    name: 'sub of another user',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sub: c.user.sub }), c.secret)}`,
  },
  {
    name: 'sub is an array',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sub: [c.admin.sub] }), c.secret)}`,
  },
  {
    name: 'revoked session',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims({ ...c.user, sid: c.revokedSid }), c.secret)}`,
  },
  { name: 'idle session', kind: 'forged', header: (c) => `Bearer ${jwt(HS, claims({ ...c.user, sid: c.idleSid }), c.secret)}` },
  { name: 'header not JSON', kind: 'forged', header: (c) => `Bearer ${b64('{alg:HS256')}.${b64(claims(c.admin))}.sig` },
  { name: 'payload not JSON (signed)', kind: 'forged', header: (c) => `Bearer ${jwt(HS, 'not json', c.secret)}` },
  { name: 'payload null (signed)', kind: 'forged', header: (c) => `Bearer ${jwt(HS, 'null', c.secret)}` },
  { name: 'payload an array (signed)', kind: 'forged', header: (c) => `Bearer ${jwt(HS, [claims(c.admin)], c.secret)}` },
  { name: 'header an array', kind: 'forged', header: (c) => `Bearer ${jwt(['HS256'], claims(c.admin), c.secret)}` },
  { name: 'two segments', kind: 'forged', header: (c) => `Bearer ${c.admin.token.split('.').slice(0, 2).join('.')}` },
  { name: 'four segments', kind: 'forged', header: (c) => `Bearer ${c.admin.token}.extra` },
  { name: 'dots only', kind: 'forged', header: () => 'Bearer ..' },
  { name: 'null', kind: 'forged', header: () => 'Bearer null' },
  { name: 'SQL', kind: 'forged', header: () => "Bearer ' OR 1=1 --" },
  { name: '10 KB of garbage', kind: 'forged', header: () => `Bearer ${'A'.repeat(10_240)}` },
  { name: '10 KB of dots and base64', kind: 'forged', header: () => `Bearer ${'eyJ.'.repeat(2_560)}` },
  {
    name: '12 KB signed payload',
    kind: 'forged',
    header: (c) => `Bearer ${jwt(HS, claims(c.admin, { sid: 'x'.repeat(9_000) }), c.secret)}`,
  },
  { name: 'unicode token', kind: 'forged', header: () => asHeaderValue('Bearer 🔑ñ.日本.ü') },
  { name: 'unicode scheme', kind: 'forged', header: (c) => asHeaderValue(`Веарег ${c.admin.token}`) },
];

/** Mostly the admin (it gets past the guard, so validation is what is fuzzed), then forgeries, then the rest. */
export const authVariantArb: fc.Arbitrary<AuthVariant> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...AUTH_VARIANTS.filter((v) => v.kind === 'admin')) },
  { weight: 2, arbitrary: fc.constantFrom(...AUTH_VARIANTS.filter((v) => v.kind === 'user')) },
  { weight: 2, arbitrary: fc.constantFrom(...AUTH_VARIANTS.filter((v) => v.kind === 'none')) },
  { weight: 4, arbitrary: fc.constantFrom(...AUTH_VARIANTS.filter((v) => v.kind === 'forged')) },
);
