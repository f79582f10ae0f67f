import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { AuditEventsController } from './audit-events.controller';
import { TrustedDomainsController } from './trusted-domains.controller';

/** Superuser routes. Owns no table: changes go through the users module, the trail is read from audit. */
@Module({
  imports: [UsersModule, SessionsModule, AuditModule],
  controllers: [AdminController, TrustedDomainsController, AuditEventsController],
  providers: [AdminService],
})
export class AdminModule {}
