import { AppError } from '../common/errors/app-error';

export interface HashJobOptions {
  /** The client the job is for: one client may hold only its share of the slots and the queue. */
  client?: string;
  /** Raised per call for work that should rather wait than be refused (new hashes). */
  queueLimit?: number;
}

const busy = () => new AppError('LOGIN_BUSY', 'Server busy, please retry shortly', { 'Retry-After': '1' });

/**
 * Bounds the password hashes computed at once, and the number waiting. Hashing is the costly
 * part of a login; without a bound, a flood piles up work that answers long after clients gave
 * up, and starves every other request of the thread pool. Beyond the queue: a fast 503. One
 * client (an address) may hold at most `perClient` of the running and waiting jobs, so that a
 * flood from one address is refused while other addresses still get in.
 */
export class HashLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perClientCount = new Map<string, number>();

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
    private readonly perClient: number = Math.max(2, Math.ceil((concurrency + queueLimit) / 4)),
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>, options: HashJobOptions = {}): Promise<T> {
    const { client } = options;
    if (client !== undefined && (this.perClientCount.get(client) ?? 0) >= this.perClient) throw busy();
    if (this.active >= this.concurrency && this.waiting.length >= (options.queueLimit ?? this.queueLimit)) throw busy();
    if (client !== undefined) this.perClientCount.set(client, (this.perClientCount.get(client) ?? 0) + 1);
    try {
      if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.active += 1;
      try {
        return await work();
      } finally {
        const next = this.waiting.shift();
        // Hand the slot straight to the next waiter; the count stays the same.
        if (next) next();
        else this.active -= 1;
      }
    } finally {
      if (client !== undefined) {
        const left = (this.perClientCount.get(client) ?? 1) - 1;
        if (left === 0) this.perClientCount.delete(client);
        else this.perClientCount.set(client, left);
      }
    }
  }
}
