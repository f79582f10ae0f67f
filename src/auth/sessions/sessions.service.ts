import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { RequestContext } from '../../common/http/request-context';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { AuthPrincipal } from './auth-principal';
import { Session } from './session.entity';
import { judgeSession, needsTouch, SessionRejection } from './session-rules';

export type SessionCheck = { principal: AuthPrincipal } | { rejected: SessionRejection | 'invalid'; userId?: string };

interface SessionRow {
  session_id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
}

const SESSION_CHECK = `SELECT s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.revoked_at,
       u.username, u.email, u.is_active, u.is_superuser
  FROM sessions s JOIN users u ON u.id = s.user_id
 WHERE s.id = $1`;
const SESSION_TOUCH = 'UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2 AND revoked_at IS NULL';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Server-side sessions: one row per login, checked on every authenticated request. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  async open(manager: EntityManager, userId: string, context: RequestContext): Promise<Session> {
    const now = this.clock.now();
    const session = manager.create(Session, {
      userId,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      revokedReason: null,
      ip: context.ip?.slice(0, 64) ?? null,
      userAgent: context.userAgent,
    });
    return manager.save(session);
  }

  /**
   * Loads session and user in one indexed query, judges the session, and records the activity
   * (coalesced: at most one write per touch interval).
   */
  async check(sessionId: string, userId: string): Promise<SessionCheck> {
    if (!UUID.test(sessionId) || !UUID.test(userId)) return { rejected: 'invalid' };
    // The hot path of every authenticated request: a named (prepared) statement, planned once per
    // connection, on the pool itself (about twice the checks per second of an unnamed query).
    const { rows } = await this.pool().query<SessionRow>({
      name: 'gatehouse_session_check',
      text: SESSION_CHECK,
      values: [sessionId],
    });
    const row = rows[0];
    if (!row || row.user_id !== userId) return { rejected: 'invalid' };
    const now = this.clock.now();
    const verdict = judgeSession({ createdAt: row.created_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at }, now, {
      idleTimeoutSeconds: this.config.sessionIdleTimeoutSeconds,
      maxLifetimeSeconds: this.config.sessionMaxLifetimeSeconds,
    });
    if (verdict) return { rejected: verdict, userId };
    // A deactivated user's sessions are dead (SPEC §6 knows expired, idle, revoked, invalid).
    if (!row.is_active) return { rejected: 'revoked', userId };
    if (needsTouch(row.last_seen_at, now, this.config.sessionTouchIntervalMs)) {
      await this.pool().query({ name: 'gatehouse_session_touch', text: SESSION_TOUCH, values: [sessionId, now] });
    }
    return {
      principal: {
        id: row.user_id,
        username: row.username,
        email: row.email,
        isActive: row.is_active,
        isSuperuser: row.is_superuser,
        sessionId,
      },
    };
  }

  /** Revokes one session; true when it was alive. */
  async revoke(manager: EntityManager, sessionId: string, reason: string): Promise<boolean> {
    const result = await manager.update(
      Session,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Ends every live session of a user (deactivation, rejection, password change). */
  async revokeAllForUser(manager: EntityManager, userId: string, reason: string): Promise<number> {
    const result = await manager.update(
      Session,
      { userId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    return result.affected ?? 0;
  }
}
