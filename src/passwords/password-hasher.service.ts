import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { compare as bcryptCompare } from 'bcryptjs';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { HashJobOptions, HashLimiter } from './hash-limiter';
import { IdleMemoryRelease } from './idle-memory-release';

/** OWASP's argon2id parameters (docs/API.md §4 Passwords). */
export const ARGON2_PARAMETERS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface VerifyResult {
  valid: boolean;
  /** The hash is bcrypt, another argon2 variant, or weaker parameters: store a new one. */
  needsRehash: boolean;
}

/** How many new hashes may wait (about 6 s of work on one core). */
const CREATION_QUEUE_LIMIT = 256;
/** argon2's default salt length, and OWASP's minimum. */
const SALT_BYTES = 16;

const BCRYPT = /^\$2[aby]\$\d{2}\$/;

/**
 * A well-formed argon2id hash with the current parameters whose digest is random, so that no
 * password matches it: verifying against it costs exactly a real verify, and making it costs
 * nothing (hashing at start would hold argon2's 19 MiB block in the process from then on).
 */
export function unmatchableHash(): string {
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  const { memoryCost, timeCost, parallelism } = ARGON2_PARAMETERS;
  return `$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$${b64(16)}$${b64(32)}`;
}

@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly limiter: HashLimiter;
  private readonly queueLimit: number;
  private readonly dummyHash = unmatchableHash();
  /** argon2's blocks go back to the system once hashing has been idle a moment (see there). */
  private readonly memory = new IdleMemoryRelease();

  constructor(config: AppConfig) {
    this.limiter = new HashLimiter(config.hashConcurrency, config.hashQueueLimit);
    this.queueLimit = config.hashQueueLimit;
  }

  onModuleDestroy(): void {
    this.memory.stop();
  }

  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.limiter.inFlight, queued: this.limiter.queued };
  }

  /**
   * New hashes (registration, admin creation, re-hash) wait in a longer queue than login
   * verifies: a burst of sign-ups is served late rather than refused, while a login flood is
   * refused fast. Registrations are rate-limited per address anyway.
   */
  hash(password: string): Promise<string> {
    // The salt is drawn here, synchronously (16 bytes, microseconds): argon2's own default draws
    // it on the thread pool, a round trip through the event loop before every hash, which a busy
    // server makes the hashing thread wait for (bench/PROFILE.md).
    return this.run(() => argon2.hash(password, { ...ARGON2_PARAMETERS, salt: randomBytes(SALT_BYTES) }), {
      queueLimit: Math.max(this.queueLimit, CREATION_QUEUE_LIMIT),
    });
  }

  /** `client` (an address key) is held to its fair share of the queue (see HashLimiter). */
  verify(hash: string, password: string, client?: string): Promise<VerifyResult> {
    return this.run(() => this.verifyNow(hash, password), { client });
  }

  /** Spends one verify for an unknown user, so that the answer takes as long as a wrong password. */
  async verifyDummy(password: string, client?: string): Promise<void> {
    await this.verify(this.dummyHash, password, client);
  }

  private async run<T>(work: () => Promise<T>, options: HashJobOptions): Promise<T> {
    this.memory.busy();
    try {
      return await this.limiter.run(work, options);
    } finally {
      if (this.limiter.inFlight === 0 && this.limiter.queued === 0) this.memory.idle();
    }
  }

  private async verifyNow(hash: string, password: string): Promise<VerifyResult> {
    if (BCRYPT.test(hash)) {
      // Legacy hashes only (re-hashed on this very login); bcryptjs computes in slices that yield to the event loop.
      const valid = await bcryptCompare(password, hash).catch(() => false);
      return { valid, needsRehash: true };
    }
    if (!hash.startsWith('$argon2')) return { valid: false, needsRehash: false };
    const valid = await argon2.verify(hash, password).catch(() => false);
    return { valid, needsRehash: valid && this.isOutdatedArgon2(hash) };
  }

  /** Another variant, an older version or weaker cost than ours; a stronger hash is kept. */
  private isOutdatedArgon2(hash: string): boolean {
    const match = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    if (!match) return true;
    const [version, memory, time] = match.slice(1, 4).map(Number);
    return version < 19 || memory < ARGON2_PARAMETERS.memoryCost || time < ARGON2_PARAMETERS.timeCost;
  }
}
