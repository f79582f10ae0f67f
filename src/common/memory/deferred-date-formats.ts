/**
 * Runs `load` (a module's first import) with `Intl.DateTimeFormat` replaced by a stand-in whose
 * formatter is built on first use; the real constructor is back as soon as `load` returns or throws.
 *
 * @nestjs/common builds two date formatters as it loads, for the timestamps of Nest's console
 * logger, which this service never uses (pino writes every line, src/logging/). Building one makes
 * ICU bring in its locale, calendar and time-zone data: 8 MB of a server's resident memory on
 * Node 24, held for the life of the process (docs/SCALING.md, Memory; bench/PROFILE.md). A stand-in
 * behaves as the formatter would: its first use (any property, any method) builds the real one
 * with the same arguments, so arguments the real constructor refuses are refused then.
 */
export function withDeferredDateFormats<T>(load: () => T): T {
  const intl = Intl as { DateTimeFormat: typeof Intl.DateTimeFormat };
  const Real = intl.DateTimeFormat;
  function Deferred(...args: ConstructorParameters<typeof Intl.DateTimeFormat>): Intl.DateTimeFormat {
    let real: Intl.DateTimeFormat | undefined;
    const built = () => (real ??= new Real(...args));
    return new Proxy({} as Intl.DateTimeFormat, {
      get(_target, key) {
        const formatter = built();
        const value: unknown = Reflect.get(formatter, key, formatter);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(formatter) : value;
      },
    });
  }
  intl.DateTimeFormat = Deferred as unknown as typeof Intl.DateTimeFormat;
  try {
    return load();
  } finally {
    intl.DateTimeFormat = Real;
  }
}
