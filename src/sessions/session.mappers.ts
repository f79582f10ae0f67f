import { SessionViewDto } from './dto/session-view.dto';
import type { Session } from './session.entity';

/**
 * A session in the shape both session lists share (docs/API.md §8 Accounts, §10 Administration);
 * the owner's list adds `current`.
 */
export function toSessionView(session: Session): SessionViewDto {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    ip: session.ip,
    user_agent: session.userAgent,
  };
}
