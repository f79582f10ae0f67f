import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { MetricsService } from '../metrics/metrics.service';
import { PasswordsModule } from '../passwords/passwords.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserStorageModule } from '../user-storage/user-storage.module';
import { AccountToken } from './account-token.entity';
import { AccountTokensService } from './account-tokens.service';
import { BootstrapAdmin } from './bootstrap-admin';
import { CredentialsService } from './credentials.service';
import { EmailVerificationService } from './email-verification.service';
import { StorageReconciler } from './storage-reconciler';
import { ApprovalsService } from './approvals.service';
import { SuperuserActionsService } from './superuser-actions.service';
import { LoginFailure } from './login-failure.entity';
import { UserMailService } from './user-mail.service';
import { TrustedDomain } from './trusted-domain.entity';
import { TrustedDomainsRepository } from './trusted-domains.repository';
import { TrustedDomainsService } from './trusted-domains.service';
import { User } from './user.entity';
import { LoginLockoutRepository } from './login-lockout.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** The users table and its rules. The repository is exported for the legacy import only. */
@Module({
  imports: [
    TypeOrmModule.forFeature([User, LoginFailure, AccountToken, TrustedDomain]),
    AuditModule,
    UserStorageModule,
    PasswordsModule,
    SessionsModule,
    MailModule,
  ],
  providers: [
    UsersRepository,
    LoginLockoutRepository,
    UsersService,
    CredentialsService,
    SuperuserActionsService,
    ApprovalsService,
    StorageReconciler,
    BootstrapAdmin,
    AccountTokensService,
    EmailVerificationService,
    UserMailService,
    TrustedDomainsRepository,
    TrustedDomainsService,
  ],
  exports: [
    UsersService,
    CredentialsService,
    SuperuserActionsService,
    ApprovalsService,
    EmailVerificationService,
    UserMailService,
    TrustedDomainsService,
    StorageReconciler,
    UsersRepository,
  ],
})
export class UsersModule implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('gatehouse_pending_approvals', 'Registrations waiting for an admin decision', async () => {
      return (await this.users.counts()).pending;
    });
  }
}
