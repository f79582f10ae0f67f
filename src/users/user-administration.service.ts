import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditParty, AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions/sessions.service';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/database-errors';
import { RequestContext } from '../common/http/request-context';
import { UserStorageService } from '../user-storage/user-storage.service';
import { User } from './user.entity';
import { UsersService } from './users.service';

export interface Actor {
  id: string;
  username: string;
}

export interface UserChanges {
  username?: string;
  email?: string;
  is_active?: boolean;
  is_superuser?: boolean;
}

interface Locked {
  manager: EntityManager;
  target: User;
  /** Ids of the active superusers, locked for this transaction. */
  superusers: Set<string>;
  /**
   * Re-checks the actor's own power on the locked rows, called after the operation's own checks
   * and before any write: a demotion that committed while this request waited wins, and the
   * operation's specific answer (e.g. LAST_SUPERUSER) comes first.
   */
  authorize: () => void;
}

const lastSuperuser = () => new AppError('LAST_SUPERUSER', 'Operation would leave no active superuser');
const userNotFound = () => new AppError('USER_NOT_FOUND', 'User not found');
const alreadyExists = () => new AppError('USER_ALREADY_EXISTS', 'USER_ALREADY_EXISTS');

/**
 * Superuser operations on users. Each runs in one transaction that first locks every active
 * superuser row (always in id order, so concurrent operations queue instead of deadlocking), then
 * the target: the "at least one active superuser" invariant is checked on locked rows, so two
 * admins demoting each other at the same instant leave one. The audit row and any session
 * revocation commit with the change.
 */
@Injectable()
export class UserAdministrationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly storage: UserStorageService,
    private readonly clock: Clock,
  ) {}

  async update(actor: Actor, targetId: string, changes: UserChanges, context: RequestContext): Promise<User> {
    try {
      return await this.locked(actor, targetId, async ({ manager, target, superusers, authorize }) => {
        const self = target.id === actor.id;
        if (self && changes.is_superuser === false && target.isSuperuser)
          throw new AppError('CANNOT_DEMOTE_SELF', 'Cannot demote yourself');
        if (self && changes.is_active === false && target.isActive)
          throw new AppError('CANNOT_DEACTIVATE_SELF', 'Cannot deactivate yourself');
        const losesPower = superusers.has(target.id) && (changes.is_superuser === false || changes.is_active === false);
        if (losesPower && superusers.size <= 1) throw lastSuperuser();
        if (
          (changes.username !== undefined || changes.email !== undefined) &&
          (await this.users.identifierTaken(
            manager,
            changes.username ?? target.username,
            changes.email ?? target.email,
            target.id,
          ))
        ) {
          throw alreadyExists();
        }
        authorize();
        const diff = this.diff(target, changes);
        if (Object.keys(diff).length === 0) return target;
        const patch: Partial<User> = {};
        if (changes.username !== undefined) patch.username = changes.username;
        if (changes.email !== undefined) patch.email = changes.email;
        if (changes.is_active !== undefined) patch.isActive = changes.is_active;
        if (changes.is_superuser !== undefined) patch.isSuperuser = changes.is_superuser;
        await manager.update(User, { id: target.id }, patch);
        if (changes.is_active === false && target.isActive) {
          await this.endSessions(manager, actor, target, 'deactivated', context);
        }
        await this.record(manager, 'admin_user_update', actor, target, context, { changes: diff });
        return manager.findOneByOrFail(User, { id: target.id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists();
      throw error;
    }
  }

  promote(actor: Actor, targetId: string, reason: string | null, context: RequestContext): Promise<User> {
    return this.locked(actor, targetId, async ({ manager, target, authorize }) => {
      if (target.isSuperuser) throw new AppError('USER_ALREADY_SUPERUSER', 'User is already a superuser');
      authorize();
      await manager.update(User, { id: target.id }, { isSuperuser: true });
      await this.record(manager, 'admin_user_promotion', actor, target, context, { reason });
      return manager.findOneByOrFail(User, { id: target.id });
    });
  }

  demote(actor: Actor, targetId: string, reason: string | null, context: RequestContext): Promise<User> {
    return this.locked(actor, targetId, async ({ manager, target, superusers, authorize }) => {
      if (!target.isSuperuser) throw new AppError('USER_NOT_SUPERUSER', 'User is not a superuser');
      if (target.id === actor.id) throw new AppError('CANNOT_DEMOTE_SELF', 'Cannot demote yourself');
      if (superusers.has(target.id) && superusers.size <= 1) throw lastSuperuser();
      authorize();
      await manager.update(User, { id: target.id }, { isSuperuser: false });
      await this.record(manager, 'admin_user_demotion', actor, target, context, { reason });
      return manager.findOneByOrFail(User, { id: target.id });
    });
  }

  /** Deletes the user (sessions go with it) and then archives its tree: nothing is lost. */
  async remove(actor: Actor, targetId: string, context: RequestContext): Promise<User> {
    const at = this.clock.now();
    const deleted = await this.locked(actor, targetId, async ({ manager, target, superusers, authorize }) => {
      if (target.id === actor.id) throw new AppError('CANNOT_DELETE_SELF', 'Cannot delete yourself');
      if (superusers.has(target.id) && superusers.size <= 1) throw lastSuperuser();
      authorize();
      await manager.delete(User, { id: target.id });
      await this.record(manager, 'admin_user_deletion', actor, target, context, {
        deleted_username: target.username,
        deleted_email: target.email,
        storage_archived_to: this.storage.archivePathFor(target.id, at),
      });
      return target;
    });
    // After commit: a failed move leaves the tree in users/, where start-up reports it.
    await this.storage.archiveTree(deleted.id, at);
    return deleted;
  }

  /** Approves or rejects a pending or rejected registration. */
  decide(actor: Actor, targetId: string, approved: boolean, reason: string | null, context: RequestContext): Promise<User> {
    return this.locked(actor, targetId, async ({ manager, target, authorize }) => {
      if (target.approvalStatus === 'approved') throw new AppError('USER_ALREADY_APPROVED', 'User is already approved');
      authorize();
      if (approved) {
        await manager.update(
          User,
          { id: target.id },
          {
            isApproved: true,
            isActive: true,
            approvalStatus: 'approved',
            approvedBy: actor.id,
            approvedAt: this.clock.now(),
            rejectionReason: null,
          },
        );
      } else {
        await manager.update(
          User,
          { id: target.id },
          {
            isApproved: false,
            isActive: false,
            approvalStatus: 'rejected',
            approvedBy: null,
            approvedAt: null,
            rejectionReason: reason,
          },
        );
        await this.endSessions(manager, actor, target, 'rejected', context);
      }
      await this.record(manager, approved ? 'admin_user_approved' : 'admin_user_rejected', actor, target, context, { reason });
      return manager.findOneByOrFail(User, { id: target.id });
    });
  }

  private async locked<T>(actor: Actor, targetId: string, work: (locked: Locked) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string }> = await manager.query(
        'SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE',
      );
      const superusers = new Set(rows.map((row) => row.id));
      const authorize = () => {
        if (!superusers.has(actor.id)) throw new AppError('ADMIN_REQUIRED', 'Admin access required');
      };
      const target = await manager.findOne(User, { where: { id: targetId }, lock: { mode: 'pessimistic_write' } });
      if (!target) throw userNotFound();
      return work({ manager, target, superusers, authorize });
    });
  }

  private async endSessions(manager: EntityManager, actor: Actor, target: User, reason: string, context: RequestContext) {
    const ended = await this.sessions.revokeAllForUser(manager, target.id, reason);
    if (ended > 0) await this.record(manager, 'session_revoked', actor, target, context, { reason, sessions: ended });
  }

  private diff(target: User, changes: UserChanges): Record<string, { old: unknown; new: unknown }> {
    const current: Record<keyof UserChanges, unknown> = {
      username: target.username,
      email: target.email,
      is_active: target.isActive,
      is_superuser: target.isSuperuser,
    };
    const diff: Record<string, { old: unknown; new: unknown }> = {};
    for (const key of Object.keys(current) as Array<keyof UserChanges>) {
      if (changes[key] !== undefined && changes[key] !== current[key]) diff[key] = { old: current[key], new: changes[key] };
    }
    return diff;
  }

  private record(
    manager: EntityManager,
    eventType: Parameters<AuditService['record']>[1]['eventType'],
    actor: Actor,
    target: User,
    context: RequestContext,
    details: Record<string, unknown>,
  ): Promise<void> {
    const targetParty: AuditParty = { id: target.id, username: target.username };
    return this.audit.record(manager, {
      eventType,
      actor,
      target: targetParty,
      ip: context.ip,
      userAgent: context.userAgent,
      details: Object.fromEntries(Object.entries(details).filter(([, value]) => value !== null && value !== undefined)),
    });
  }
}
