import { AuditEvent } from '../audit/audit-event.entity';
import { Session } from '../auth/sessions/session.entity';
import { User } from '../users/user.entity';

export const ENTITIES = [User, Session, AuditEvent];
