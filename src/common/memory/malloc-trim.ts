/**
 * glibc's `malloc_trim(0)`: gives the free pages of the C heap back to the system (docs/SCALING.md,
 * Memory). Called through koffi (an FFI library, an optional dependency), loaded at the first call.
 * Where glibc or koffi is missing (musl, macOS, Windows, a platform without koffi's prebuilt
 * binary), there is nothing to call: null.
 */
export type ReleaseMemory = () => void;

let loading: Promise<ReleaseMemory | null> | undefined;

export function glibcMallocTrim(): Promise<ReleaseMemory | null> {
  loading ??= (async () => {
    if (process.platform !== 'linux') return null;
    try {
      // require, not import(): an optional dependency loaded lazily, resolved as every other
      // package of the server is (import() would ignore NODE_PATH, which the bench's build uses).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const koffi = require('koffi') as typeof import('koffi');
      const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t)') as (pad: number) => number;
      return () => {
        trim(0);
      };
    } catch {
      return null;
    }
  })();
  return loading;
}
