import { performance } from 'node:perf_hooks';

/** Calls in a row over the limit before the thread pool takes over: one stall is not a slow disk. */
const SLOW_IN_A_ROW = 3;

/**
 * Runs a few small file-system calls synchronously while they are fast, and through the thread
 * pool once they are not.
 *
 * On a local disk, making a user's tree or writing an `.eml` takes tens to hundreds of
 * microseconds of system calls. Through the thread pool each call is a task that wakes a pool
 * thread and then the event loop, and those wake-ups kept preempting the pool thread that hashes
 * the next password: with the tree and the `.eml` made synchronously, registrations/s rose by
 * about 8 % of the raw hashing rate (bench/PROFILE.md, "The thread pool is the hashing's").
 * A network share answers each call after a round trip, which would hold up every request on
 * the event loop: once SLOW_IN_A_ROW runs in a row took longer than `slowMs` each, this runs
 * every later one through the thread pool.
 */
export class InlineWhileFast {
  private slowInARow = 0;
  private pooled = false;

  constructor(
    private readonly slowMs: number,
    private readonly onSlow: (ms: number) => void,
  ) {}

  get throughThreadPool(): boolean {
    return this.pooled;
  }

  /** `inline` and `pooled` must do the same thing: one with synchronous calls, one with promises. */
  async run<T>(inline: () => T, pooled: () => Promise<T>): Promise<T> {
    if (this.pooled) return pooled();
    const started = performance.now();
    const result = inline();
    const took = performance.now() - started;
    this.slowInARow = took > this.slowMs ? this.slowInARow + 1 : 0;
    if (this.slowInARow >= SLOW_IN_A_ROW) {
      this.pooled = true;
      this.onSlow(took);
    }
    return result;
  }
}
