/**
 * One memory-reducing garbage collection when the server has answered no request for a while
 * (docs/SCALING.md, Memory).
 *
 * V8 has a "memory reducer" meant to do this: once allocation slows down it collects and shrinks
 * the young generation. On Node 24 it never starts on an idle server: its allocation rate is only
 * sampled at collections, and an idle server makes none, so the rate of the last burst stands for
 * ever ("Memory reducer: high alloc" with `--trace-memory-reducer`) and the heap stays at its
 * busiest size (measured on Node 24: 130 MB of RSS for as long as a freshly started server is left
 * alone, 119 MB after this collection). Node 20's reducer does act, 8 s after the last full
 * collection.
 *
 * The collection frees the buffers the load left behind; glibc keeps their pages in its heap
 * (measured on Node 24: 10 MB of C heap before 8 s of 50-connection load, 26 MB after, for ever),
 * so `malloc_trim(0)` follows it (src/common/memory/malloc-trim.ts).
 *
 * Works when the process runs with `--expose-gc` (the image's NODE_OPTIONS and `npm start` set
 * it); without, it does nothing. It costs a request one integer increment; the collection itself
 * (tens of milliseconds) happens only on a server that is idle.
 */

import { releaseFreedMemory } from './malloc-trim';

type Collect = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface IdleHeapCollectionOptions {
  /** Quiet time, without any request, before the collection. */
  idleMs: number;
  /** How often the request count is looked at. */
  checkEveryMs: number;
  /** The collector (`globalThis.gc` under --expose-gc). */
  collect?: Collect;
  /** What gives the C heap's free pages back (glibc's malloc_trim unless given). */
  trim?: () => unknown;
  /** Told the heap's size before and after, in bytes. */
  collected?: (before: number, after: number) => void;
}

export const IDLE_HEAP_COLLECTION_DEFAULTS = { idleMs: 10_000, checkEveryMs: 2_500 } as const;

export class IdleHeapCollection {
  private requests = 0;
  private seen = 0;
  private quietSince: number | undefined;
  private collectedSinceActivity = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly collect: Collect | undefined;

  constructor(private readonly options: IdleHeapCollectionOptions) {
    this.collect = options.collect ?? (globalThis as { gc?: Collect }).gc;
  }

  /** Whether a collector is there to call (the process runs with --expose-gc). */
  get enabled(): boolean {
    return this.collect !== undefined;
  }

  /** Every request: one increment. */
  readonly onRequest = (): void => {
    this.requests += 1;
  };

  /** Also collects once after start-up, whose garbage would otherwise stay until the first requests. */
  start(now: () => number = Date.now): void {
    if (!this.collect || this.timer) return;
    this.quietSince = now();
    this.collectedSinceActivity = false;
    this.timer = setInterval(() => this.check(now()), this.options.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Looks at the count; collects once a whole idle period has passed without a request. */
  check(at: number): void {
    if (this.requests !== this.seen) {
      this.seen = this.requests;
      this.quietSince = at;
      this.collectedSinceActivity = false;
      return;
    }
    if (this.collectedSinceActivity || this.quietSince === undefined || at - this.quietSince < this.options.idleMs) return;
    this.collectedSinceActivity = true;
    const before = process.memoryUsage().heapTotal;
    // "last-resort": V8's collection for low memory, which also shrinks the young generation and
    // gives its pooled pages back (Node 20's V8 takes it as a plain full collection).
    this.collect?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    this.options.collected?.(before, process.memoryUsage().heapTotal);
    (this.options.trim ?? releaseFreedMemory)();
  }
}
