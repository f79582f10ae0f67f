import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDeferredDateFormats } from './deferred-date-formats';

const intl = Intl as { DateTimeFormat: typeof Intl.DateTimeFormat };
const OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: 'numeric',
  timeZone: 'UTC',
};
const AT = Date.UTC(2026, 11, 1, 13, 45, 0);
// A fresh, synchronous load inside jest.isolateModules: a require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadNestCommon = (): unknown => require('@nestjs/common');

describe('withDeferredDateFormats', () => {
  const Real = intl.DateTimeFormat;
  let built: number;

  // Counts the real formatters made, through whatever Intl.DateTimeFormat is at the time.
  beforeEach(() => {
    built = 0;
    intl.DateTimeFormat = function Counting(...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      built += 1;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
  });
  afterEach(() => {
    intl.DateTimeFormat = Real;
  });

  it('builds no formatter while loading @nestjs/common, which builds two without it', () => {
    jest.isolateModules(() => withDeferredDateFormats(loadNestCommon));
    expect(built).toBe(0);

    jest.isolateModules(() => loadNestCommon());
    expect(built).toBe(2);
  });

  it('builds the real formatter on first use, once, and answers as it does', () => {
    const Counting = intl.DateTimeFormat;
    const deferred = withDeferredDateFormats(() => new Intl.DateTimeFormat('en-GB', OPTIONS));
    expect(intl.DateTimeFormat).toBe(Counting);
    expect(built).toBe(0);

    const expected = new Real('en-GB', OPTIONS);
    expect(deferred.format(AT)).toBe(expected.format(AT));
    expect(deferred.formatToParts(AT)).toEqual(expected.formatToParts(AT));
    expect(deferred.resolvedOptions()).toEqual(expected.resolvedOptions());
    // A detached method still formats (Nest's logger calls `formatter.format`).
    const { format } = deferred;
    expect(format(AT)).toBe(expected.format(AT));
    expect(built).toBe(1);
  });

  it('puts the real constructor back when the load throws, and refuses bad arguments at first use', () => {
    const Counting = intl.DateTimeFormat;
    expect(() =>
      withDeferredDateFormats(() => {
        throw new Error('load failed');
      }),
    ).toThrow('load failed');
    expect(intl.DateTimeFormat).toBe(Counting);

    const bad = withDeferredDateFormats(() => new Intl.DateTimeFormat('en', { timeZone: 'Nowhere/Invalid' }));
    expect(() => bad.format(AT)).toThrow(RangeError);
  });
});

describe("the server's entry (src/main.ts)", () => {
  it('imports the preload before anything else, so that @nestjs/common is first loaded there', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'main.ts'), 'utf8');
    const imports = [...source.matchAll(/^import (?!type )[^;]*?['"]([^'"]+)['"];/gm)].map((match) => match[1]);
    expect(imports[0]).toBe('./framework-preload');
  });
});
