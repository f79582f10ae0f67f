import fc from 'fast-check';

/**
 * Hostile strings, JSON values and field names for the fuzz suite (test/e2e/fuzz.e2e-spec.ts):
 * fixed lists of inputs that have broken services before, and fast-check arbitraries that draw
 * from them. Every other file under test/utils/fuzz/ builds on these.
 */

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
