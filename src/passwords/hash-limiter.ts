import { AppError } from '../common/errors/app-error';

/**
 * Bounds the password hashes computed at once, and the number waiting. Hashing is the costly
 * part of a login; without a bound, a flood piles up work that answers long after clients gave
 * up, and starves every other request of the thread pool. Beyond the queue: a fast 503.
 */
export class HashLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** `queueLimit` may be raised per call, for work that should rather wait than be refused. */
  async run<T>(work: () => Promise<T>, queueLimit = this.queueLimit): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= queueLimit) {
        throw new AppError('LOGIN_BUSY', 'Server busy, please retry shortly', { 'Retry-After': '1' });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter; the count stays the same.
      if (next) next();
      else this.active -= 1;
    }
  }
}
