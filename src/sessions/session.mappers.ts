import { SessionViewDto } from './dto/session-view.dto';
import { Session } from './session.entity';

/** A session as its owner or a superuser sees it (never the token). */
export function toSessionView(session: Session): SessionViewDto {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    ip: session.ip,
    user_agent: session.userAgent,
  };
}
