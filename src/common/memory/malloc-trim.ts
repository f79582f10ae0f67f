/**
 * glibc's `malloc_trim(0)`: gives the free pages of the C heap back to the system (docs/SCALING.md,
 * Memory). Called through koffi (an FFI library, an optional dependency), loaded at the first call.
 * Where glibc or koffi is missing (musl, macOS, Windows, a platform without koffi's prebuilt
 * binary), there is nothing to call.
 */

let trim: ((pad: number) => number) | null | undefined;

/** Trims the C heap; false where there is no malloc_trim to call. */
export function releaseFreedMemory(): boolean {
  if (trim === undefined) {
    trim = null;
    if (process.platform === 'linux') {
      try {
        // An optional dependency loaded lazily, resolved as every other package of the server is
        // (import() would ignore NODE_PATH, which the bench's build uses).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const koffi = require('koffi') as typeof import('koffi');
        trim = koffi.load('libc.so.6').func('int malloc_trim(size_t)') as (pad: number) => number;
      } catch {
        trim = null;
      }
    }
  }
  if (!trim) return false;
  trim(0);
  return true;
}
