import { releaseFreedMemory } from '../common/memory/malloc-trim';

/**
 * Gives argon2's working memory back to the system once hashing has been idle for a moment
 * (docs/SCALING.md, Memory).
 *
 * Every argon2id hash or verify allocates a 19 MiB block with malloc. After the first one is
 * freed, glibc raises its mmap threshold above that size, so later blocks come from the heap
 * and stay resident once freed: the next hash reuses them instead of faulting 19 MiB of fresh
 * pages, which costs about a third of the hashing rate (measured: 40 hashes/s against 28 with
 * every block mapped anew). That is what a busy server wants; a server at rest holds the block
 * for nothing. `malloc_trim(0)` returns the heap's free pages to the system, in about 2 ms; it
 * is called through koffi (an FFI library), once per idle period.
 *
 * Where glibc or koffi is missing (musl, macOS, Windows, a platform without koffi's prebuilt
 * binary), nothing is released and nothing fails.
 */

/** Idle time after the last hash before the memory is released. */
export const HASH_MEMORY_IDLE_MS = 1000;

/**
 * Releases memory once, `idleMs` after the last of a run of jobs: `busy()` when a job starts
 * (cancels a pending release), `idle()` when the last one ends.
 */
export class IdleMemoryRelease {
  private timer: NodeJS.Timeout | undefined;
  private releases = 0;

  constructor(
    private readonly idleMs: number = HASH_MEMORY_IDLE_MS,
    private readonly release: () => boolean = releaseFreedMemory,
  ) {}

  /** How many times memory was released (for tests and the curious). */
  get released(): number {
    return this.releases;
  }

  busy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  idle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.release()) this.releases += 1;
    }, this.idleMs);
    // Never what keeps a process (a CLI command, a test) alive.
    this.timer.unref();
  }

  stop(): void {
    this.busy();
  }
}
