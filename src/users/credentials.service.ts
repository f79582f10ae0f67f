import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { clientKey } from '../common/http/client-address';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { PasswordHasher, VerifyResult } from '../passwords/password-hasher.service';
import { assertPasswordAcceptable, passwordProblem } from '../passwords/password-policy';
import { SessionsService } from '../sessions/sessions.service';
import { AccountTokensService } from './account-tokens.service';
import { LoginLockoutRepository } from './login-lockout.repository';
import { UserMailService } from './user-mail.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface PasswordReset {
  user: User;
  sessionsEnded: number;
  lockoutCleared: boolean;
}

/**
 * What a password proves and what failing it costs: verification, the account lockout
 * (docs/API.md §11 Rate limits and lockout), re-hashing of legacy hashes, and setting a new
 * password (which ends every session and clears the lockout).
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly lockout: LoginLockoutRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tokens: AccountTokensService,
    private readonly mail: UserMailService,
  ) {}

  /** The client's address decides its fair share of the hashing queue. */
  verify(user: User, password: string, ip: string | null): Promise<VerifyResult> {
    return this.hasher.verify(user.hashedPassword, password, clientKey(ip));
  }

  /** Spends one verify for an unknown user, so that the answer takes as long as a wrong password. */
  verifyDummy(password: string, ip: string | null): Promise<void> {
    return this.hasher.verifyDummy(password, clientKey(ip));
  }

  /** Locked everywhere, or for this client address. */
  async isLocked(user: User, ip: string | null): Promise<boolean> {
    return (await this.lockState(user, ip)).locked;
  }

  /**
   * Whether the account is locked (everywhere, or for this address), and whether this address has
   * failures on record: only then does a correct password have a count to clear (recordSuccess).
   */
  async lockState(user: User, ip: string | null): Promise<{ locked: boolean; failedHere: boolean }> {
    const now = this.clock.now().getTime();
    if (user.lockedUntil !== null && user.lockedUntil.getTime() > now) return { locked: true, failedHere: true };
    const here = await this.lockout.addressFailures(user.id, clientKey(ip));
    return { locked: here?.lockedUntil != null && here.lockedUntil.getTime() > now, failedHere: here !== null };
  }

  async recordFailure(user: User, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const windowMs = this.config.lockoutMinutes * 60_000;
    await this.lockout.recordLoginFailure(user.id, clientKey(ip), now, {
      perAddress: this.config.lockoutThreshold,
      perAccount: this.config.lockoutAccountThreshold,
      lockUntil: new Date(now.getTime() + windowMs),
      windowStart: new Date(now.getTime() - windowMs),
    });
  }

  /**
   * After a correct password: this address's count starts again, and a legacy or weaker hash is
   * replaced. `failedHere` false (lockState found no failure from this address): nothing to clear.
   */
  async recordSuccess(user: User, ip: string | null, password: string, verified: VerifyResult, failedHere = true): Promise<void> {
    if (failedHere) await this.lockout.clearAddressFailures(user.id, clientKey(ip));
    if (verified.needsRehash) await this.users.update(undefined, user.id, { hashedPassword: await this.hasher.hash(password) });
  }

  /**
   * A signed-in user's own change (docs/API.md §8 Accounts). The current password is checked as a
   * login would be: a wrong one counts toward the lockout of the caller's address, and while the
   * account is locked even the right one is refused, with the same answer. Every other session
   * of the user ends; the one making the change stays.
   */
  async changePassword(
    userId: string,
    keepSessionId: string,
    current: string,
    next: string,
    context: RequestContext,
  ): Promise<{ sessionsEnded: number }> {
    const user = await this.users.findById(userId);
    if (!user) throw new AppError('UNAUTHORIZED', 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
    const [locked, verified] = await Promise.all([this.isLocked(user, context.ip), this.verify(user, current, context.ip)]);
    if (locked || !verified.valid) {
      if (!locked) await this.recordFailure(user, context.ip);
      throw new AppError('INVALID_CURRENT_PASSWORD', 'Invalid current password');
    }
    await this.lockout.clearAddressFailures(user.id, clientKey(context.ip));
    assertPasswordAcceptable(next, user.username, user.email, 'UPDATE_USER_INVALID_PASSWORD');
    const hashedPassword = await this.hasher.hash(next);
    const changed = await this.users.transaction(async (manager) => {
      await this.users.update(manager, user.id, { hashedPassword });
      const sessionsEnded = await this.sessions.revokeAllExcept(manager, user.id, keepSessionId, 'password_changed');
      const party = { id: user.id, username: user.username };
      const { ip, userAgent } = context;
      await this.audit.record(manager, {
        eventType: 'password_changed',
        actor: party,
        target: party,
        ip,
        userAgent,
        details: { sessions_ended: sessionsEnded },
      });
      await this.mail.passwordChanged(manager, user);
      if (sessionsEnded > 0) {
        await this.audit.record(manager, {
          eventType: 'session_revoked',
          actor: party,
          target: party,
          ip,
          userAgent,
          details: { reason: 'password_changed', sessions: sessionsEnded },
        });
      }
      return { sessionsEnded };
    });
    this.sessions.forgetUser(user.id);
    return changed;
  }

  /**
   * A reset by mail link (docs/API.md §9): the token must be unused, unexpired, of an active user
   * whose password has not changed since it was issued. The new password is stored, the token is
   * used up, every session ends and every lockout counter is cleared — one transaction.
   */
  async resetWithToken(token: string, password: string, context: RequestContext): Promise<void> {
    const badToken = () => new AppError('RESET_PASSWORD_BAD_TOKEN');
    const found = await this.tokens.find(token, 'reset');
    if (!found || !found.user.isActive) throw badToken();
    assertPasswordAcceptable(password, found.user.username, found.user.email, 'RESET_PASSWORD_INVALID_PASSWORD');
    const hashedPassword = await this.hasher.hash(password);
    await this.users.transaction(async (manager) => {
      const locked = await this.tokens.find(token, 'reset', manager);
      if (!locked || !locked.user.isActive) throw badToken();
      await this.tokens.markUsed(manager, locked.row);
      await this.applyNewPassword(manager, locked.user, hashedPassword, context, 'link');
    });
    this.sessions.forgetUser(found.user.id);
  }

  /**
   * Sets a new password (the policy applies), ends every session of the user, clears a login
   * lockout and records `password_reset`, all in one transaction.
   */
  async resetPassword(userId: string, password: string, context: RequestContext, source: 'cli'): Promise<PasswordReset> {
    const current = await this.users.findById(userId);
    if (!current) throw new AppError('USER_NOT_FOUND', 'User not found');
    const problem = passwordProblem(password, current.username, current.email);
    if (problem) throw new AppError('REGISTER_INVALID_PASSWORD', { code: 'REGISTER_INVALID_PASSWORD', reason: problem });
    const hashedPassword = await this.hasher.hash(password);
    const reset = await this.users.transaction(async (manager) => {
      const user = await this.users.lockById(manager, userId);
      if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
      return this.applyNewPassword(manager, user, hashedPassword, context, source);
    });
    this.sessions.forgetUser(userId);
    return reset;
  }

  private async applyNewPassword(
    manager: EntityManager,
    user: User,
    hashedPassword: string,
    context: RequestContext,
    source: 'cli' | 'link',
  ): Promise<PasswordReset> {
    await this.users.update(manager, user.id, { hashedPassword });
    const lockoutCleared = await this.lockout.clearLockout(user.id, manager);
    await this.mail.passwordReset(manager, user);
    const sessionsEnded = await this.sessions.revokeAllForUser(manager, user.id, 'password_reset');
    const target = { id: user.id, username: user.username };
    const { ip, userAgent } = context;
    await this.audit.record(manager, {
      eventType: 'password_reset',
      actor: null,
      target,
      ip,
      userAgent,
      details: { source, sessions_ended: sessionsEnded, lockout_cleared: lockoutCleared },
    });
    if (sessionsEnded > 0) {
      await this.audit.record(manager, {
        eventType: 'session_revoked',
        actor: null,
        target,
        ip,
        userAgent,
        details: { reason: 'password_reset', sessions: sessionsEnded },
      });
    }
    return { user, sessionsEnded, lockoutCleared };
  }
}
