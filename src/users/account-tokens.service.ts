import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { AccountToken, AccountTokenPurpose } from './account-token.entity';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

/**
 * Reset and verification tokens (docs/API.md §9 Password reset and email verification): 256
 * random bits, sent only by mail, stored only as a SHA-256, single-use, with a lifetime, and void
 * once what they were issued for has changed (the password hash, or the address).
 */
@Injectable()
export class AccountTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** What a token of this purpose is tied to, for this user as they are now. */
  fingerprint(user: User, purpose: AccountTokenPurpose): string {
    return sha256(purpose === 'reset' ? `reset:${user.hashedPassword}` : `verify:${user.emailKey}`);
  }

  /** A new token for the user, written in the caller's transaction; the raw token goes only into the mail. */
  async issue(manager: EntityManager, user: User, purpose: AccountTokenPurpose): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const ttl = purpose === 'reset' ? this.config.resetTokenTtlSeconds : this.config.verifyTokenTtlSeconds;
    await manager.insert(AccountToken, {
      userId: user.id,
      purpose,
      tokenHash: sha256(token),
      fingerprint: this.fingerprint(user, purpose),
      expiresAt: new Date(this.clock.now().getTime() + ttl * 1000),
      usedAt: null,
    });
    return token;
  }

  /**
   * The unused, unexpired token of this purpose and its user, locked for this transaction when a
   * manager is given (so that two uses cannot both pass); null for anything else, including a
   * token whose user has changed since.
   */
  async find(
    token: string,
    purpose: AccountTokenPurpose,
    manager?: EntityManager,
  ): Promise<{ row: AccountToken; user: User } | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const runner = manager ?? this.dataSource.manager;
    const row = await runner.findOne(AccountToken, {
      where: { tokenHash: sha256(token), purpose },
      ...(manager ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row || row.usedAt !== null || row.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    const user = await runner.findOne(User, {
      where: { id: row.userId },
      ...(manager ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!user || this.fingerprint(user, purpose) !== row.fingerprint) return null;
    return { row, user };
  }

  async markUsed(manager: EntityManager, row: AccountToken): Promise<void> {
    await manager.update(AccountToken, { id: row.id }, { usedAt: this.clock.now() });
  }

  /** Voids every unused token of the user (deactivation, rejection): a later reactivation does not revive them. */
  async voidAll(manager: EntityManager, userId: string): Promise<void> {
    await manager.update(AccountToken, { userId, usedAt: IsNull() }, { usedAt: this.clock.now() });
  }

  /** A reset link issued less than a minute ago is not issued again (a flood of requests mails once). */
  async recentlyIssued(userId: string, purpose: AccountTokenPurpose): Promise<boolean> {
    const since = new Date(this.clock.now().getTime() - 60_000);
    const count = await this.dataSource.manager
      .createQueryBuilder(AccountToken, 't')
      .where('t.user_id = :userId AND t.purpose = :purpose AND t.created_at > :since AND t.used_at IS NULL', {
        userId,
        purpose,
        since,
      })
      .getCount();
    return count > 0;
  }
}
