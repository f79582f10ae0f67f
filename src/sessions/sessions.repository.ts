import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { runPrepared, type PreparedStatement } from '../database/prepared';
import { Session } from './session.entity';

/**
 * Which sessions are alive at a moment (docs/API.md §5 Sessions and tokens): not revoked, used
 * after `seenAfter` (now − idle timeout) and created after `createdAfter` (now − maximum lifetime).
 */
export interface LiveWindow {
  seenAfter: Date;
  createdAfter: Date;
}

const SESSION_TOUCH: PreparedStatement = {
  name: 'gatehouse_session_touch',
  text: 'UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2 AND revoked_at IS NULL',
};

/** Every query on the sessions table. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insert(manager: EntityManager, session: Omit<Session, 'id' | 'user'>): Promise<Session> {
    return manager.save(manager.create(Session, session));
  }

  /** Records activity; never moves `last_seen_at` backwards and never revives a revoked session. */
  async touch(sessionId: string, at: Date): Promise<void> {
    await runPrepared(this.dataSource, SESSION_TOUCH, [sessionId, at]);
  }

  /** True when the session was alive. */
  async revoke(manager: EntityManager, sessionId: string, at: Date, reason: string): Promise<boolean> {
    const result = await manager.update(
      Session,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: at, revokedReason: reason },
    );
    return (result.affected ?? 0) > 0;
  }

  async revokeAllForUser(manager: EntityManager, userId: string, at: Date, reason: string): Promise<number> {
    const result = await manager.update(Session, { userId, revokedAt: IsNull() }, { revokedAt: at, revokedReason: reason });
    return result.affected ?? 0;
  }

  /** A user's live sessions (see `LiveWindow`), newest first. */
  listLive(userId: string, window: LiveWindow): Promise<Session[]> {
    return this.dataSource.manager
      .createQueryBuilder(Session, 's')
      .where('s.user_id = :userId AND s.revoked_at IS NULL', { userId })
      .andWhere('s.last_seen_at > :seenAfter AND s.created_at > :createdAfter', window)
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  /** Revokes one session of this user; true when it was alive (another user's session is never touched). */
  async revokeOwn(manager: EntityManager, userId: string, sessionId: string, at: Date, reason: string): Promise<boolean> {
    const result = await manager.update(
      Session,
      { id: sessionId, userId, revokedAt: IsNull() },
      { revokedAt: at, revokedReason: reason },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of the user except one. */
  async revokeAllExcept(manager: EntityManager, userId: string, keepId: string, at: Date, reason: string): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: at, revokedReason: reason })
      .where('user_id = :userId AND id <> :keepId AND revoked_at IS NULL', { userId, keepId })
      .execute();
    return result.affected ?? 0;
  }

  /** Revokes a user's live sessions (see `LiveWindow`); the number revoked. */
  async revokeLiveForUser(manager: EntityManager, userId: string, window: LiveWindow, at: Date, reason: string): Promise<number> {
    const [, affected] = (await manager.query(
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3
        WHERE user_id = $1 AND revoked_at IS NULL AND last_seen_at > $4 AND created_at > $5`,
      [userId, at, reason, window.seenAfter, window.createdAfter],
    )) as [unknown, number];
    return affected;
  }

  /** Sessions neither revoked, idle past the timeout, nor past their maximum lifetime. */
  async countLive(idleSeconds: number, maxLifetimeSeconds: number): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM sessions
        WHERE revoked_at IS NULL
          AND last_seen_at > now() - make_interval(secs => $1)
          AND created_at > now() - make_interval(secs => $2)`,
      [idleSeconds, maxLifetimeSeconds],
    )) as Array<{ n: number }>;
    return row.n;
  }
}
