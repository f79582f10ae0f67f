import {
  type MakeDirectoryOptions,
  mkdirSync,
  promises as fs,
  renameSync,
  type RmOptions,
  rmSync,
  type WriteFileOptions,
  writeFileSync,
} from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Calls in a row over the limit before the thread pool takes over: one stall is not a slow disk. */
const SLOW_IN_A_ROW = 3;
/** One call (a folder, a small file) on a local disk takes well under a millisecond. */
const SLOW_CALL_MS = 10;

export interface InlineFsOptions {
  /** A call slower than this counts towards SLOW_IN_A_ROW. */
  slowMs?: number;
  /** The clock the calls are timed with. */
  now?: () => number;
}

/**
 * The few file-system calls a request makes in DATA_DIR (a user's tree, an `.eml`): synchronous,
 * one per turn of the event loop, while they are fast; through the thread pool once they are not.
 *
 * Through the thread pool, each call is one or more tasks, each waking a pool thread and then the
 * event loop: a tree is 23 of them (a file is opened, written and closed), an `.eml` 4, and those
 * wake-ups kept preempting the pool thread that hashes the next password (bench/PROFILE.md, "the
 * thread pool is the hashing's"). Each call here waits for the loop's next turn first, so that the
 * loop is never held for more than one call: requests that arrived meanwhile are served between
 * two of them.
 *
 * A network share answers each call after a round trip: once SLOW_IN_A_ROW calls in a row took
 * longer than SLOW_CALL_MS each, every later call goes through the thread pool, and `onSlow` is
 * told once.
 */
export class InlineFs {
  private slowInARow = 0;
  private pooled = false;
  private readonly slowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly onSlow: (ms: number) => void,
    options: InlineFsOptions = {},
  ) {
    this.slowMs = options.slowMs ?? SLOW_CALL_MS;
    this.now = options.now ?? (() => performance.now());
  }

  get throughThreadPool(): boolean {
    return this.pooled;
  }

  mkdir(path: string, options: MakeDirectoryOptions): Promise<void> {
    return this.call(
      () => void mkdirSync(path, options),
      async () => void (await fs.mkdir(path, options)),
    );
  }

  writeFile(path: string, data: string | Buffer, options: WriteFileOptions): Promise<void> {
    return this.call(
      () => writeFileSync(path, data, options),
      () => fs.writeFile(path, data, options),
    );
  }

  rename(from: string, to: string): Promise<void> {
    return this.call(
      () => renameSync(from, to),
      () => fs.rename(from, to),
    );
  }

  rm(path: string, options: RmOptions): Promise<void> {
    return this.call(
      () => rmSync(path, options),
      () => fs.rm(path, options),
    );
  }

  private async call(inline: () => void, pooled: () => Promise<void>): Promise<void> {
    if (this.pooled) return pooled();
    await nextTurn();
    const started = this.now();
    try {
      inline();
    } finally {
      this.measured(this.now() - started);
    }
  }

  private measured(took: number): void {
    this.slowInARow = took > this.slowMs ? this.slowInARow + 1 : 0;
    if (this.slowInARow >= SLOW_IN_A_ROW && !this.pooled) {
      this.pooled = true;
      this.onSlow(took);
    }
  }
}
