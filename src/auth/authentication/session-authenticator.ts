import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import type { AuthPrincipal } from '../../sessions/auth-principal';
import { CachedSession, SessionCache } from '../../sessions/session-cache';
import { judgeSession, needsTouch, type SessionLimits, type SessionRejection } from '../../sessions/session-rules';
import { SessionsService } from '../../sessions/sessions.service';
import { UsersService } from '../../users/users.service';

export type SessionCheck = { principal: AuthPrincipal } | { rejected: SessionRejection | 'invalid'; userId?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Turns a token's claims into the caller: the session it names must be alive and belong to
 * `sub`, and its owner must be active (docs/API.md §5 Sessions and tokens). The session and its
 * owner come from the in-memory cache when it has them (kept right by database notifications),
 * else from one indexed query. A cached session that looks idle is re-read before it is refused:
 * another instance may have seen activity since.
 */
@Injectable()
export class SessionAuthenticator {
  private sessionLimits: SessionLimits | undefined;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly cache: SessionCache,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async check(sessionId: string, userId: string): Promise<SessionCheck> {
    if (!UUID.test(sessionId) || !UUID.test(userId)) return { rejected: 'invalid' };
    const cached = this.cache.get(sessionId);
    if (cached && cached.userId === userId && cached.isActive && this.aliveAt(cached) === null) {
      await this.touchIfDue(cached);
      return { principal: principalOf(cached) };
    }
    return this.checkInDatabase(sessionId, userId);
  }

  private async checkInDatabase(sessionId: string, userId: string): Promise<SessionCheck> {
    const row = await this.users.findSessionWithOwner(sessionId);
    if (!row || row.user_id !== userId) return { rejected: 'invalid' };
    const session = { id: row.session_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at };
    const verdict = await this.sessions.accept(session, row.is_active);
    if (verdict) {
      this.cache.forgetSession(sessionId);
      return { rejected: verdict, userId };
    }
    const entry: CachedSession = {
      id: row.session_id,
      userId: row.user_id,
      createdAt: row.created_at,
      lastSeenAt: this.clock.now() > row.last_seen_at ? this.touchedAt(row.last_seen_at) : row.last_seen_at,
      username: row.username,
      email: row.email,
      isActive: row.is_active,
      isSuperuser: row.is_superuser,
    };
    this.cache.set(entry);
    return { principal: principalOf(entry) };
  }

  /** The rejection the cached times alone would give (a cached session is never revoked); null when they say alive. */
  private aliveAt(session: CachedSession): SessionRejection | null {
    const times = { createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, revokedAt: null };
    return judgeSession(times, this.clock.now(), this.limits);
  }

  private get limits(): SessionLimits {
    return (this.sessionLimits ??= {
      idleTimeoutSeconds: this.config.sessionIdleTimeoutSeconds,
      maxLifetimeSeconds: this.config.sessionMaxLifetimeSeconds,
    });
  }

  /** `accept` wrote a touch when one was due: the cache learns the same time. */
  private touchedAt(lastSeenAt: Date): Date {
    const now = this.clock.now();
    return needsTouch(lastSeenAt, now, this.config.sessionTouchIntervalMs) ? now : lastSeenAt;
  }

  private async touchIfDue(session: CachedSession): Promise<void> {
    const now = this.clock.now();
    if (!needsTouch(session.lastSeenAt, now, this.config.sessionTouchIntervalMs)) return;
    session.lastSeenAt = now;
    await this.sessions.touch(session.id, now);
  }
}

function principalOf(session: CachedSession): AuthPrincipal {
  return {
    id: session.userId,
    username: session.username,
    email: session.email,
    isActive: session.isActive,
    isSuperuser: session.isSuperuser,
    sessionId: session.id,
  };
}
