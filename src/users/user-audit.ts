import type { EntityManager } from 'typeorm';
import type { AuditEventType } from '../audit/audit-event-types';
import { AuditService } from '../audit/audit.service';
import { RequestContext } from '../common/http/request-context';

/** An audit event about one user, by an actor (null: the operator at the CLI, or nobody). */
export interface UserEvent {
  eventType: AuditEventType;
  actor: { id: string; username: string } | null;
  target: { id: string; username: string };
  context: RequestContext;
  /** Null and undefined values are left out. */
  details: Record<string, unknown>;
}

/** Records the event in the caller's transaction (docs/API.md §13 Audit trail). */
export function auditUser(audit: AuditService, manager: EntityManager, event: UserEvent): Promise<void> {
  const { eventType, actor, target, context, details } = event;
  return audit.record(manager, {
    eventType,
    actor: actor && { id: actor.id, username: actor.username },
    target: { id: target.id, username: target.username },
    ip: context.ip,
    userAgent: context.userAgent,
    details: Object.fromEntries(Object.entries(details).filter(([, value]) => value !== null && value !== undefined)),
  });
}
