import fc from 'fast-check';
import { deepArray, deepObject, nastyString, RawJson } from './hostile-values';

/**
 * The text of a request other than its headers: JSON and form encoders, raw bodies, content types,
 * path ids and query strings, for the fuzz suite (test/e2e/fuzz.e2e-spec.ts).
 */

/** The app's JSON body limit (app.setup.ts): bodies on either side of it must be 413 or handled, never 500. */
export const BODY_LIMIT = 64 * 1024;

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
