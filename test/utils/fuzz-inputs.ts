import fc from 'fast-check';
import { createHmac } from 'node:crypto';

/**
 * Inputs for the fuzz suite (test/e2e/fuzz.e2e-spec.ts): hostile strings and values, raw bodies,
 * content types, query strings, path ids and Authorization headers, then the model of every route
 * (what a valid-looking request is) and the request plans built from them. Plain data and fast-check
 * arbitraries only: sending and checking is the suite's business.
 */

/** The app's JSON body limit (app.setup.ts): bodies on either side of it must be 413 or handled, never 500. */
export const BODY_LIMIT = 64 * 1024;

/** Every generated password contains this mark, so one LIKE finds a password that leaked anywhere. */
export const PASSWORD_MARK = '~pw~';

/** A JSON fragment written as text, for shapes JSON.stringify cannot produce (depth, `__proto__` keys). */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `<raw json, ${this.text.length} chars>`;
  }
}

export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Strings that have broken services before: injection, traversal, encodings, sizes, lookalikes. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '0',
  '-1',
  '1e400',
  '0x10',
  '[]',
  '{}',
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "admin'--",
  "1'; SELECT pg_sleep(5); --",
  "' UNION SELECT hashed_password FROM users --",
  '%',
  '_',
  '%_%',
  '\\',
  '\\x00',
  '$1',
  ':identifier',
  '?',
  '*',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f',
  '..%00',
  '..%2f..%2fetc%2fpasswd',
  '/etc/passwd\u0000.json',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(8),
  '\ud800',
  '\udfff',
  'a\ud83db',
  '\uffff',
  '\ufeffadmin',
  '\u202eevil\u202c',
  '🔥',
  '👨‍👩‍👧‍👦',
  'مرحبا',
  'שלום',
  'a\u200bdmin',
  'Ａｄｍｉｎ',
  'İstanbul',
  'straße',
  '\u212a',
  'e\u0301',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '2026-02-30T00:00:00Z',
  '2026-W01-1',
  '2026-123',
  '+002026-01-01',
  '99999-01-01',
  '1',
  'yesterday',
  'epoch',
  'infinity',
  'a@b',
  'a@b.c',
  '@example.org',
  'a@example.org\u0000',
  'a@[127.0.0.1]',
  '"a b"@example.org',
  'ADMIN@EXAMPLE.ORG',
  'a'.repeat(129),
  'a'.repeat(151),
  'a'.repeat(321),
  'a'.repeat(1025),
  'a'.repeat(2001),
  'x'.repeat(10_000),
  '🔥'.repeat(3_000),
];

/** Strings that push the body over, or right under, the 64 KiB limit when sent as a field. */
export const HUGE_STRINGS: readonly string[] = [
  'x'.repeat(60_000),
  'x'.repeat(100_000),
  '🔥'.repeat(15_000),
  '🔥'.repeat(30_000),
];

/** Values that make sense on the server only as JSON from a hostile or careless client. */
export const NASTY_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 2,
  Number.NaN,
  [],
  {},
  [null],
  [[]],
  ['a', 'b'],
  { $gt: '' },
  { $ne: null },
  { toString: 'x' },
  { valueOf: 1 },
  { length: 1e9 },
  new RawJson('{"__proto__":{"is_superuser":true}}'),
  new RawJson('{"constructor":{"prototype":{"is_superuser":true}}}'),
  new RawJson(deepArray(1000)),
  new RawJson(deepObject(1000)),
  new RawJson('123456789012345678901234567890'),
  new RawJson('1e999'),
  new RawJson('-0.0e-0'),
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 8 })).map(([a, b]) => a + b) },
);

/** Any JSON value, mostly of the wrong type or shape for the field it lands in. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE_STRINGS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 4 }) },
);

/** Field names a client should not send, or that confuse a parser or a mapper. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'is_superuser',
      'is_active',
      'is_approved',
      'is_verified',
      'id',
      'hashed_password',
      'approval_status',
      'approved_by',
      '',
      ' ',
      'PASSWORD',
      'password ',
      'email\u0000',
      '$where',
      'a.b',
      'a[b]',
      'user_id',
      'reason',
      '🔥',
      'x'.repeat(1000),
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** JSON text of one value; RawJson is copied verbatim. */
export function jsonText(value: unknown): string {
  return value instanceof RawJson ? value.text : (JSON.stringify(value) ?? 'null');
}

/** An object written by hand, so keys may repeat and `__proto__` is an ordinary key. */
export function jsonObjectText(entries: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`).join(',')}}`;
}

/** encodeURIComponent that does not throw on a lone surrogate: it becomes the invalid UTF-8 a careless client sends. */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += char.length === 1 && code >= 0xd800 && code <= 0xdfff ? '%ED%A0%80' : encodeURIComponent(char);
  }
  return out;
}

/** form-urlencoded text; arrays repeat the key, null leaves the value out, other values are JSON. */
export function formText(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const pair = (key: string, value: unknown) =>
    value === null
      ? percentEncode(key)
      : `${percentEncode(key)}=${percentEncode(typeof value === 'string' ? value : jsonText(value))}`;
  return entries
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((item) => pair(key, item)) : [pair(key, value)]))
    .join('&');
}

/** Raw bodies sent with a JSON (or any) content type. */
export const RAW_BODIES: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  '{"a" 1}',
  "{'email':'a'}",
  '{"a":1,}',
  '[1,2',
  'nul',
  'undefined',
  'NaN',
  'Infinity',
  '-',
  '\u0000',
  '\ufeff{}',
  '{}garbage',
  '{}{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\x00"}',
  '{"a":1e999}',
  '{"a":123456789012345678901234567890}',
  '"\\u0000"',
  '123',
  '"text"',
  'null',
  'true',
  '[]',
  '[{}]',
  '{}',
  '<?xml version="1.0"?><user><email>a@b.c</email></user>',
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
  'email=a%40b.c&password=x',
  '\xff\xfe{\x00}\x00',
  deepArray(1000),
  deepObject(1000),
  deepArray(32_000),
  deepObject(10_000),
  `{"email":${deepArray(30_000)}}`,
  `{"username":${deepObject(9_000)}}`,
  '{"__proto__":{"is_superuser":true}}',
  '{"constructor":{"prototype":{"is_superuser":true}}}',
  '{"a":{"__proto__":{"x":1}}}',
  '[{"__proto__":{}}]',
  '{"__proto__":null}',
  '{"constructor":null}',
  `{"a":"${'x'.repeat(BODY_LIMIT - 8)}"}`, // exactly the limit
  `{"a":"${'x'.repeat(BODY_LIMIT - 7)}"}`, // one byte over
  `{"a":"${'x'.repeat(100_000)}"}`,
  `{"a":"${'🔥'.repeat(16_000)}"}`,
  `{"a":"${'\\u0000'.repeat(10_000)}"}`,
  `[${'1,'.repeat(30_000)}1]`,
];

export const CONTENT_TYPES: ReadonlyArray<string | undefined> = [
  undefined,
  '',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/json;charset=latin1',
  'application/json; boundary=x',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/json, text/html',
  '*/*',
  ';',
  'json',
  'application/',
  'application/x-www-form-urlencoded; charset=utf-16',
];

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

/** Path ids of every shape, already written as URL path text. */
export function pathIdArb(liveIds: readonly string[]): fc.Arbitrary<string> {
  const uuid = fc.uuid();
  const shapes = [
    { weight: 4, arbitrary: fc.constantFrom(...liveIds) },
    { weight: 2, arbitrary: uuid },
    { weight: 1, arbitrary: fc.constantFrom(...liveIds).map((id) => id.replace(/-/g, '').toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...liveIds).map((id) => id.toUpperCase()) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(uuid, fc.constantFrom('a', '0', '-', '%00', '%20', '%2F', '.json', '%F0%9F%94%A5'))
        .chain(([id, junk]) => fc.constantFrom(id + junk, junk + id, `%7B${id}%7D`, id.slice(1), id.replace(/-/g, '%2D'))),
    },
    { weight: 3, arbitrary: nastyString.map(percentEncode) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '%2F',
        'a%2Fb',
        '..%2F..%2Fetc%2Fpasswd',
        '%2e%2e%2f',
        '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '..%00',
        '%00',
        '%zz',
        '%',
        '%E0%A4%A',
        '%C0%AE%C0%AE%2F',
        'x'.repeat(1024),
        percentEncode('🔥'.repeat(256)),
        '1',
        '-1',
        '0',
        '1e10',
        'NaN',
        'null',
        'undefined',
        'true',
        '%5B%5D',
        '%7B%7D',
        ';',
        ',',
        '*',
        '%20',
        '+',
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        '00000000000000000000000000000000',
        `${'0'.repeat(31)}g`,
        '0'.repeat(33),
        "'%20OR%201%3D1%20--",
        '%27%3B%20DROP%20TABLE%20users%3B%20--',
      ),
    },
  ];
  return fc.oneof(...(liveIds.length ? shapes : shapes.slice(1)));
}

/** One query-string value of any shape (already percent-encoded unless it is deliberately raw). */
export const queryValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyString.map(percentEncode) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      '0',
      '-1',
      '1.5',
      '1e3',
      '1001',
      '999999999999999999999',
      'NaN',
      'Infinity',
      '-0',
      '0x10',
      'true',
      'false',
      'null',
      '%',
      '%zz',
      '%00',
      '%E0%A4%A',
      '+',
      '++',
      '%2B',
      '%20',
      '%26',
      '%3D',
      '[]',
      '%5B%5D',
      '9'.repeat(400),
      'a'.repeat(8000),
    ),
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

/** Query keys: the route's own, repeated, bracketed, prototype names, junk. */
export function queryKeyArb(known: readonly string[]): fc.Arbitrary<string> {
  const own = known.length ? [{ weight: 6, arbitrary: fc.constantFrom(...known) }] : [];
  return fc.oneof(
    ...own,
    ...(known.length ? [{ weight: 1, arbitrary: fc.constantFrom(...known).map((key) => `${key}[]`) }] : []),
    ...(known.length ? [{ weight: 1, arbitrary: fc.constantFrom(...known).map((key) => `${key}[a]`) }] : []),
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'constructor[prototype]',
        '',
        '%',
        'a%00',
        '%5B%5D',
        'hasOwnProperty',
      ),
    },
    { weight: 1, arbitrary: nastyString.map(percentEncode) },
  );
}

/** Raw query fragments appended as they are: empty pairs, stray separators, bad escapes. */
export const RAW_QUERY_FRAGMENTS: readonly string[] = [
  '&',
  '&&',
  '=',
  '==',
  'a=b=c',
  '%',
  '%zz',
  '+',
  '?',
  '#',
  ';',
  'a;b',
  '=x',
];

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

// ---------------------------------------------------------------------------------------------
// Routes and request plans

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

/** One request, before its Authorization header is written (logout gets fresh sessions at send time). */
export interface Plan {
  route: RouteModel;
  method: Method;
  path: string;
  query: string;
  auth: AuthVariant;
  contentType?: string;
  body?: string;
  headers: Record<string, string>;
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
    { method: 'GET', path: '/admin/pending-approvals', weight: 2.5 },
    {
      method: 'GET',
      path: '/admin/audit-events',
      query: {
        event_type: fc.constantFrom('login_failed', 'token_rejected', 'user_registered', 'LOGIN_FAILED', 'login_failed ', ''),
        actor_id: ids,
        target_id: ids,
        since: dateish,
        until: dateish,
        limit,
        cursor: auditCursor,
      },
      weight: 9,
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
    // Last: it deletes the users the routes above work on.
    { method: 'DELETE', path: '/admin/users/:user_id', weight: 4.5 },
  ];
}

type Entries = Array<[string, unknown]>;
type Mutation = { op: 'drop'; key: string } | { op: 'set' | 'add'; key: string; value: unknown };

function applyMutation(entries: Entries, mutation: Mutation): Entries {
  if (mutation.op === 'drop') return entries.filter(([key]) => key !== mutation.key);
  if (mutation.op === 'add') return [...entries, [mutation.key, mutation.value]];
  const at = entries.findIndex(([key]) => key === mutation.key);
  return at < 0
    ? [...entries, [mutation.key, mutation.value]]
    : entries.map((entry, i) => (i === at ? [mutation.key, mutation.value] : entry));
}

/** A body: valid, mutated (dropped, retyped, extra fields), raw bad text, another content type, or none. */
function payloadArb(route: RouteModel): fc.Arbitrary<{ contentType?: string; body?: string }> {
  const model = route.body;
  const defaultType = model?.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  const raw = fc.record({
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constant(defaultType) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    ),
    body: fc.constantFrom(...RAW_BODIES),
  });
  if (!model) {
    const junk = fc
      .array(fc.tuple(nastyKey, nastyValue), { maxLength: 4 })
      .map((entries) => ({ contentType: 'application/json', body: jsonObjectText(entries) }));
    return fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: raw }, { weight: 1, arbitrary: junk });
  }
  const names = Object.keys(model.fields);
  const valid: fc.Arbitrary<Entries> = fc
    .record(model.fields, { requiredKeys: model.required })
    .map((record) => Object.entries(record) as Entries);
  // In a form every value is a string, so retyping rarely invalidates; there, mostly drop and add,
  // or nearly every mutated login would cost an argon2 hash.
  const form = model.encoding === 'form';
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: form ? 3 : 2, arbitrary: fc.constantFrom(...names).map((key): Mutation => ({ op: 'drop', key })) },
    {
      weight: form ? 3 : 6,
      arbitrary: fc.tuple(fc.constantFrom(...names), nastyValue).map(([key, value]): Mutation => ({ op: 'set', key, value })),
    },
    {
      weight: form ? 4 : 2,
      arbitrary: fc.tuple(nastyKey, nastyValue).map(([key, value]): Mutation => ({ op: 'add', key, value })),
    },
  );
  const mutated = fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([entries, ms]) => ms.reduce(applyMutation, entries));
  const write = (entries: Entries) => (model.encoding === 'form' ? formText(entries) : jsonObjectText(entries));
  return fc.oneof(
    { weight: model.validWeight, arbitrary: valid.map((entries) => ({ contentType: defaultType, body: write(entries) })) },
    { weight: 12, arbitrary: mutated.map((entries) => ({ contentType: defaultType, body: write(entries) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(valid, mutated), fc.constantFrom(...CONTENT_TYPES), fc.boolean())
        .map(([entries, contentType, asForm]) => ({ contentType, body: asForm ? formText(entries) : jsonObjectText(entries) })),
    },
    { weight: 3, arbitrary: raw },
    { weight: 1, arbitrary: nastyValue.map((value) => ({ contentType: defaultType, body: jsonText(value) })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

/** A query string: the route's keys with valid or hostile values, repeated keys, junk keys, raw fragments. */
function queryArb(route: RouteModel): fc.Arbitrary<string> {
  const model = route.query ?? {};
  const known = Object.keys(model);
  const validPair = known.length
    ? [
        {
          weight: 5,
          arbitrary: fc.constantFrom(...known).chain((key) => model[key].map((value) => `${key}=${percentEncode(value)}`)),
        },
      ]
    : [];
  const part = fc.oneof(
    ...validPair,
    { weight: 3, arbitrary: fc.tuple(queryKeyArb(known), queryValueArb).map(([key, value]) => `${key}=${value}`) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_FRAGMENTS) },
  );
  return fc.oneof(
    { weight: known.length ? 1 : 4, arbitrary: fc.constant('') },
    { weight: 3, arbitrary: fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => `?${parts.join('&')}`) },
  );
}

/** Generated requests for one route; `describe` is what fast-check prints for a counterexample. */
export function planArb(route: RouteModel, liveIds: readonly string[], describe: (plan: Plan) => string): fc.Arbitrary<Plan> {
  return fc
    .record({
      method: fc.oneof(
        { weight: 40, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
      ),
      path: route.path.includes(':user_id')
        ? pathIdArb(liveIds).map((id) => route.path.replace(':user_id', id))
        : fc.constant(route.path),
      query: queryArb(route),
      auth: authVariantArb,
      payload: payloadArb(route),
      headers: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraHeaders }),
    })
    .map(({ payload, ...rest }) => {
      const plan: Plan = { route, ...rest, ...payload };
      return Object.assign(plan, { [fc.toStringMethod]: () => describe(plan) });
    });
}

/** Query values that break parsers, casts and drivers: NUL, bad escapes, lone surrogates, sizes, arrays. */
const CURATED_QUERY_VALUES = [
  '%00',
  'a%00b',
  '%zz',
  '%',
  '%ED%A0%80',
  'x'.repeat(8_000),
  '-1',
  '0',
  '1.5',
  '1e400',
  '9'.repeat(400),
  '',
  'NaN',
  "'%20OR%201%3D1%20--",
];

/** The fixed part: every raw body, content type, Authorization header, odd id and odd query value, on every route. */
export function curatedPlans(routes: readonly RouteModel[], liveId: string): Plan[] {
  const asAdmin = AUTH_VARIANTS.find((variant) => variant.name === 'admin') as AuthVariant;
  const plans: Plan[] = [];
  for (const route of routes) {
    const base: Plan = {
      route,
      method: route.method,
      path: route.path.replace(':user_id', '0f0e0d0c-0b0a-4908-8706-050403020100'),
      query: '',
      auth: asAdmin,
      headers: {},
    };
    const type = route.body?.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    // Fastify never reads the body of a GET: there, bodies and content types would only cost time.
    if (route.method !== 'GET') {
      for (const body of RAW_BODIES) plans.push({ ...base, contentType: type, body });
      for (const contentType of CONTENT_TYPES) plans.push({ ...base, contentType, body: '{"a":1}' });
    }
    for (const auth of AUTH_VARIANTS) plans.push({ ...base, auth });
    for (const key of Object.keys(route.query ?? {})) {
      for (const value of CURATED_QUERY_VALUES) plans.push({ ...base, query: `?${key}=${value}` });
      plans.push({ ...base, query: `?${key}=1&${key}=2` }, { ...base, query: `?${key}[]=1` }, { ...base, query: `?${key}[a]=1` });
    }
    if (route.path.includes(':user_id')) {
      for (const id of [
        '%zz',
        '%',
        'a%2Fb',
        '..%2F..%2Fetc%2Fpasswd',
        '%00',
        'x'.repeat(1024),
        percentEncode('\ud800'),
        liveId.replace(/-/g, ''),
      ]) {
        plans.push({ ...base, path: route.path.replace(':user_id', id) });
      }
    }
  }
  return plans;
}
