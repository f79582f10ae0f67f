import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { BulkResult, bulkOutcome, countOutcomes, decisionPatch } from './approval-decisions';
import { SuperuserActionsService } from './superuser-actions.service';
import { auditUser } from './user-audit';
import { UserMailService } from './user-mail.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import type { Actor } from './users.service';

/**
 * A superuser's decisions on registrations, one or many at once (docs/API.md §10 Administration):
 * under the same superuser lock and re-check as every other admin write (SuperuserActionsService).
 * Each decision writes the user, ends its sessions when rejected, is audited, and mails the
 * registrant, all in the transaction: a decision that rolls back sends nothing.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly actions: SuperuserActionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly mail: UserMailService,
  ) {}

  /** Approves or rejects a pending or rejected registration. */
  decide(actor: Actor, targetId: string, approved: boolean, reason: string | null, context: RequestContext): Promise<User> {
    return this.actions.lockedTarget(actor, targetId, async ({ manager, authorize }, target) => {
      if (target.approvalStatus === 'approved') throw new AppError('USER_ALREADY_APPROVED', 'User is already approved');
      authorize();
      return this.apply(manager, actor, target, approved, reason, context);
    });
  }

  /**
   * Decides many registrations in one transaction (bulk approve). After the superuser rows, the
   * targets are locked in id order, so that concurrent decisions (bulk or single) queue instead
   * of deadlocking. Each user is decided as the single route would, with its effects and audit
   * event; what the single route refuses is an outcome here.
   */
  decideMany(
    actor: Actor,
    targetIds: string[],
    approved: boolean,
    reason: string | null,
    context: RequestContext,
  ): Promise<BulkResult[]> {
    const ids = [...new Set(targetIds)];
    return this.actions.locked(actor, async ({ manager, authorize }) => {
      const targets = new Map((await this.users.lockByIds(manager, ids)).map((user) => [user.id, user]));
      authorize();
      const results: BulkResult[] = [];
      for (const id of ids) {
        const target = targets.get(id);
        const outcome = bulkOutcome(target, approved);
        if (target && (outcome === 'approved' || outcome === 'rejected')) {
          await this.apply(manager, actor, target, approved, reason, context);
        }
        results.push({ id, outcome });
      }
      await this.audit.record(manager, {
        eventType: 'admin_bulk_decision',
        actor,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { approved, ...(reason === null ? {} : { reason }), counts: countOutcomes(results) },
      });
      return results;
    });
  }

  /** One decision's writes: the user, the end of its sessions when rejected, the audit event, the mail. */
  private async apply(
    manager: EntityManager,
    actor: Actor,
    target: User,
    approved: boolean,
    reason: string | null,
    context: RequestContext,
  ): Promise<User> {
    await this.users.update(manager, target.id, decisionPatch(approved, actor.id, this.clock.now(), reason));
    if (!approved) await this.actions.endSessions(manager, actor, target, 'rejected', context);
    const eventType = approved ? 'admin_user_approved' : 'admin_user_rejected';
    await auditUser(this.audit, manager, { eventType, actor, target, context, details: { reason } });
    const decided = await this.users.findById(target.id, manager);
    if (!decided) throw new AppError('USER_NOT_FOUND', 'User not found');
    if (approved) await this.mail.approved(manager, decided);
    else await this.mail.rejected(manager, decided, reason);
    return decided;
  }
}
