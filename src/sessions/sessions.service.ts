import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { isForeignKeyViolation } from '../common/errors/database-errors';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { SessionCache } from './session-cache';
import { Session } from './session.entity';
import { judgeSession, needsTouch, SessionRejection, SessionTimes } from './session-rules';
import { LiveWindow, SessionsRepository } from './sessions.repository';

/** Server-side sessions: one row per login, judged on every authenticated request, revocable. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly cache: SessionCache,
  ) {}

  /**
   * A login: the session row and `login_succeeded`, in one transaction. Null when the user was
   * deleted after the password check: nothing is written, and the login is refused.
   */
  async start(user: { id: string; username: string }, context: RequestContext): Promise<Session | null> {
    try {
      return await this.startSession(user, context);
    } catch (error) {
      if (isForeignKeyViolation(error)) return null;
      throw error;
    }
  }

  private startSession(user: { id: string; username: string }, context: RequestContext): Promise<Session> {
    return this.sessions.transaction(async (manager) => {
      const session = await this.open(manager, user.id, context);
      await this.audit.record(manager, {
        eventType: 'login_succeeded',
        actor: user,
        target: user,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { session_id: session.id },
      });
      return session;
    });
  }

  /** A logout: the session ends and `logout` is recorded, in one transaction. */
  async end(owner: { id: string; username: string }, sessionId: string, context: RequestContext): Promise<void> {
    await this.committedThenForget(owner.id, async (manager) => {
      await this.revoke(manager, sessionId, 'logout');
      await this.audit.record(manager, {
        eventType: 'logout',
        actor: owner,
        target: owner,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { session_id: sessionId },
      });
    });
  }

  open(manager: EntityManager, userId: string, context: RequestContext): Promise<Session> {
    const now = this.clock.now();
    return this.sessions.insert(manager, {
      userId,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      revokedReason: null,
      ip: context.ip?.slice(0, 64) ?? null,
      userAgent: context.userAgent,
    });
  }

  /**
   * Judges a session as loaded for this request (docs/API.md §5 Sessions and tokens) and records
   * the activity, coalesced: at most one write per touch interval. Null when it authenticates.
   * A deactivated owner's sessions are dead ('revoked').
   */
  async accept(session: SessionTimes & { id: string }, ownerActive: boolean): Promise<SessionRejection | null> {
    const now = this.clock.now();
    const verdict = judgeSession(session, now, {
      idleTimeoutSeconds: this.config.sessionIdleTimeoutSeconds,
      maxLifetimeSeconds: this.config.sessionMaxLifetimeSeconds,
    });
    if (verdict) return verdict;
    if (!ownerActive) return 'revoked';
    if (needsTouch(session.lastSeenAt, now, this.config.sessionTouchIntervalMs)) await this.sessions.touch(session.id, now);
    return null;
  }

  /** Records activity seen at `at` (coalescing is the caller's: see needsTouch). */
  touch(sessionId: string, at: Date): Promise<void> {
    return this.sessions.touch(sessionId, at);
  }

  /**
   * Call after a transaction that changed what authenticates this user's requests has committed:
   * this process forgets their cached sessions before it answers; other processes hear it from
   * the database's notification.
   */
  forgetUser(userId: string): void {
    this.cache.forgetUser(userId);
  }

  /** Revokes one session; true when it was alive. */
  revoke(manager: EntityManager, sessionId: string, reason: string): Promise<boolean> {
    return this.sessions.revoke(manager, sessionId, this.clock.now(), reason);
  }

  /** Ends every live session of a user (deactivation, rejection, password change). */
  revokeAllForUser(manager: EntityManager, userId: string, reason: string): Promise<number> {
    return this.sessions.revokeAllForUser(manager, userId, this.clock.now(), reason);
  }

  /** A user's live sessions, newest first (the admin's and the owner's session lists). */
  listLive(userId: string): Promise<Session[]> {
    return this.sessions.listLive(userId, this.liveWindow());
  }

  /** Ends a user's live sessions (an admin's request); the number ended. */
  revokeLiveForUser(manager: EntityManager, userId: string, reason: string): Promise<number> {
    const now = this.clock.now();
    return this.sessions.revokeLiveForUser(manager, userId, this.liveWindow(now), now, reason);
  }

  /** The same rule as `judgeSession`, as bounds for a query. */
  private liveWindow(now = this.clock.now()): LiveWindow {
    return {
      seenAfter: new Date(now.getTime() - this.config.sessionIdleTimeoutSeconds * 1000),
      createdAfter: new Date(now.getTime() - this.config.sessionMaxLifetimeSeconds * 1000),
    };
  }

  /** The owner ends one of their sessions (audited); false when it is not theirs or already ended. */
  endOwn(owner: { id: string; username: string }, sessionId: string, reason: string, context: RequestContext): Promise<boolean> {
    return this.committedThenForget(owner.id, async (manager) => {
      const ended = await this.sessions.revokeOwn(manager, owner.id, sessionId, this.clock.now(), reason);
      if (ended) await this.recordRevoked(manager, owner, { reason, sessions: 1, session_id: sessionId }, context);
      return ended;
    });
  }

  /** The owner ends every other session (audited); the one making the request stays. */
  endOthers(
    owner: { id: string; username: string; sessionId: string },
    reason: string,
    context: RequestContext,
  ): Promise<number> {
    return this.committedThenForget(owner.id, async (manager) => {
      const ended = await this.revokeAllExcept(manager, owner.id, owner.sessionId, reason);
      if (ended > 0) await this.recordRevoked(manager, owner, { reason, sessions: ended }, context);
      return ended;
    });
  }

  private async committedThenForget<T>(userId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.sessions.transaction(work);
    this.cache.forgetUser(userId);
    return result;
  }

  private recordRevoked(
    manager: EntityManager,
    owner: { id: string; username: string },
    details: Record<string, unknown>,
    context: RequestContext,
  ): Promise<void> {
    const party = { id: owner.id, username: owner.username };
    return this.audit.record(manager, {
      eventType: 'session_revoked',
      actor: party,
      target: party,
      ip: context.ip,
      userAgent: context.userAgent,
      details,
    });
  }

  /** Ends every live session of the user but `keepId` (a password change keeps the session that made it). */
  revokeAllExcept(manager: EntityManager, userId: string, keepId: string, reason: string): Promise<number> {
    return this.sessions.revokeAllExcept(manager, userId, keepId, this.clock.now(), reason);
  }

  countLive(): Promise<number> {
    return this.sessions.countLive(this.config.sessionIdleTimeoutSeconds, this.config.sessionMaxLifetimeSeconds);
  }
}
