import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { AccountTokensService } from './account-tokens.service';
import { decisionPatch } from './approval-decisions';
import { TrustedDomainsService } from './trusted-domains.service';
import { auditUser } from './user-audit';
import { UserMailService } from './user-mail.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

/**
 * Confirming an address with the token mailed to it (docs/API.md §9 Password reset and email
 * verification), and the automatic approval of a pending user whose confirmed address falls under
 * a trusted domain (§10).
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: AccountTokensService,
    private readonly audit: AuditService,
    private readonly trustedDomains: TrustedDomainsService,
    private readonly mail: UserMailService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Marks the address verified and uses the token up; an address changed since voids the token. */
  async verify(token: string, context: RequestContext): Promise<User> {
    return this.users.transaction(async (manager) => {
      const found = await this.tokens.find(token, 'verify', manager);
      if (!found) throw new AppError('VERIFY_USER_BAD_TOKEN');
      // Locked: a superuser's decision on this user waits for (or precedes) the automatic one.
      const locked = await this.users.lockById(manager, found.user.id);
      if (!locked || locked.email !== found.user.email) throw new AppError('VERIFY_USER_BAD_TOKEN');
      if (locked.isVerified) throw new AppError('VERIFY_USER_ALREADY_VERIFIED');
      await this.tokens.markUsed(manager, found.row);
      await this.users.update(manager, locked.id, { isVerified: true });
      await this.record(manager, 'email_verified', locked, locked, context, { email: locked.email });
      await this.approveIfTrusted(manager, locked, context);
      const user = await this.users.findById(locked.id, manager);
      if (!user) throw new AppError('VERIFY_USER_BAD_TOKEN');
      return user;
    });
  }

  /**
   * A pending user whose just-confirmed address is under a trusted domain is approved by nobody
   * (`approved_by` null), audited as `auto_approved` and mailed the approval. Only with
   * EMAIL_VERIFICATION=required: an address nobody confirmed says nothing about its owner.
   */
  private async approveIfTrusted(manager: EntityManager, user: User, context: RequestContext): Promise<void> {
    if (this.config.emailVerification !== 'required' || user.approvalStatus !== 'pending') return;
    const match = await this.trustedDomains.findMatch(user.email, manager);
    if (!match) return;
    await this.users.update(manager, user.id, decisionPatch(true, null, this.clock.now(), null));
    // No one decided: the actor is empty, as approved_by is.
    await this.record(manager, 'auto_approved', null, user, context, { domain: match.domain });
    const approved = await this.users.findById(user.id, manager);
    if (approved) await this.mail.approved(manager, approved);
  }

  private record(
    manager: EntityManager,
    eventType: 'email_verified' | 'auto_approved',
    actor: User | null,
    user: User,
    context: RequestContext,
    details: Record<string, unknown>,
  ): Promise<void> {
    return auditUser(this.audit, manager, { eventType, actor, target: user, context, details });
  }
}
