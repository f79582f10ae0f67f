import { AuditEvent } from './audit/audit-event.entity';
import { MailOutbox } from './mail/mail-outbox.entity';
import { Session } from './sessions/session.entity';
import { AccountToken } from './users/account-token.entity';
import { LoginFailure } from './users/login-failure.entity';
import { TrustedDomain } from './users/trusted-domain.entity';
import { User } from './users/user.entity';

/** Every entity, for the TypeORM CLI and the schema drift check (the app registers its own per module). */
export const ENTITIES = [User, LoginFailure, AccountToken, TrustedDomain, Session, AuditEvent, MailOutbox];
