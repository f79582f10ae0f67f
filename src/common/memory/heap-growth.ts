/**
 * How far V8's old generation may grow past what the last full collection left alive, before the
 * next one starts (docs/SCALING.md, Memory).
 *
 * V8 chooses that factor itself, up to 4× when collections are fast beside the work, which on this
 * server they are. A steady stream of requests that each build a large answer promotes the
 * objects of the requests in flight, and the heap then swings between the live set and 4× it:
 * one client reading the admin list (100 users a page, 420–520 pages/s) took the heap from 55 MB
 * live to 220 MB before each full collection, and RSS to 310 MB. With the factor at 1.5 the same
 * load peaks at 177–183 MB of RSS, at the same pages per second, and `/whoami` at 50 connections
 * answers as many requests (bench/PROFILE.md). It is not a limit: a heap that holds more live data
 * still grows, as far as V8's own ceiling.
 */
import * as v8 from 'node:v8';

/** The V8 flag: the next full collection starts at 1.5× the heap the last one left alive. */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=50';

/**
 * Sets HEAP_GROWTH_FLAG in this process. NODE_OPTIONS refuses the flag, so the server sets it as it
 * starts (src/framework-preload.ts); V8 reads it whenever it sets the next collection's threshold.
 */
export function limitHeapGrowth(setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  setFlags(HEAP_GROWTH_FLAG);
}
