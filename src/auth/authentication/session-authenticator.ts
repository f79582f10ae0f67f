import { Injectable } from '@nestjs/common';
import type { AuthPrincipal } from '../../sessions/auth-principal';
import type { SessionRejection } from '../../sessions/session-rules';
import { SessionsService } from '../../sessions/sessions.service';
import { UsersService } from '../../users/users.service';

export type SessionCheck = { principal: AuthPrincipal } | { rejected: SessionRejection | 'invalid'; userId?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Turns a token's claims into the caller: the session it names (loaded with its owner in one
 * indexed query) must be alive and belong to `sub`, and the owner must be active.
 */
@Injectable()
export class SessionAuthenticator {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  async check(sessionId: string, userId: string): Promise<SessionCheck> {
    if (!UUID.test(sessionId) || !UUID.test(userId)) return { rejected: 'invalid' };
    const row = await this.users.findSessionWithOwner(sessionId);
    if (!row || row.user_id !== userId) return { rejected: 'invalid' };
    const session = { id: row.session_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at };
    const verdict = await this.sessions.accept(session, row.is_active);
    if (verdict) return { rejected: verdict, userId };
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
}
