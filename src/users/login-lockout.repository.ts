import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { runPrepared } from '../database/prepared';
import { ADDRESS_FAILURES, CLEAR_ACCOUNT_LOCKOUT, RECORD_LOGIN_FAILURE } from './users.repository.sql';

/**
 * The login lockout's counters (docs/API.md §11): per (account, address) in `login_failures`, and
 * account-wide on the user's row.
 */
@Injectable()
export class LoginLockoutRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts a failed login, per (account, address) and per account, in one statement. From one
   * address, `perAddress.threshold` consecutive failures lock the account for that address; from
   * all addresses, `perAccount.threshold` failures within the window lock it everywhere. While
   * locked, failures neither count nor extend the lock; an expired lock starts the count again.
   */
  async recordLoginFailure(
    userId: string,
    address: string,
    now: Date,
    limits: { perAddress: number; perAccount: number; lockUntil: Date; windowStart: Date },
  ): Promise<void> {
    const { perAddress, perAccount, lockUntil, windowStart } = limits;
    await this.dataSource.query(RECORD_LOGIN_FAILURE, [userId, address, now, perAddress, perAccount, lockUntil, windowStart]);
  }

  /** This (account, address) pair's failure record, null when it has none. */
  async addressFailures(userId: string, address: string): Promise<{ lockedUntil: Date | null } | null> {
    const rows = await runPrepared<{ locked_until: Date | null }>(this.dataSource, ADDRESS_FAILURES, [userId, address]);
    return rows.length > 0 ? { lockedUntil: rows[0].locked_until } : null;
  }

  /** A correct password from this address: its count starts again. */
  async clearAddressFailures(userId: string, address: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE user_id = $1 AND address = $2', [userId, address]);
  }

  /** Clears every lockout counter of the account; true when there was something to clear. */
  async clearLockout(userId: string, manager?: EntityManager): Promise<boolean> {
    const runner = manager ?? this.dataSource.manager;
    const [, addresses] = (await runner.query('DELETE FROM login_failures WHERE user_id = $1', [userId])) as [unknown, number];
    const [, account] = (await runner.query(CLEAR_ACCOUNT_LOCKOUT, [userId])) as [unknown, number];
    return addresses + account > 0;
  }
}
