import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService } from '../audit/audit.service';
import type { AuditEventType } from '../audit/audit-event-types';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/database-errors';
import { RequestContext } from '../common/http/request-context';
import { SessionsService } from '../sessions/sessions.service';
import { UserStorageService } from '../user-storage/user-storage.service';
import { AccountTokensService } from './account-tokens.service';
import { LoginLockoutRepository } from './login-lockout.repository';
import { auditUser } from './user-audit';
import { changesTo, diffOf, UserChanges } from './user-changes';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { Actor, NewUser, UsersService } from './users.service';

export interface Promotion {
  user: User;
  /** False when the account already was what the promotion asks (the CLI's recovery only). */
  changed: boolean;
  lockoutCleared: boolean;
}

interface Locked {
  manager: EntityManager;
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
 * What a superuser does to users. Each action runs in one transaction that first locks every
 * active superuser row (in id order, so concurrent actions queue instead of deadlocking), then
 * the target: the "at least one active superuser" invariant (docs/API.md §2 Users and their
 * states) is checked on locked rows, so two admins demoting each other at the same instant leave
 * one. The audit row and any session revocation commit with the change. A null actor is the
 * operator at the CLI, who needs no superuser row.
 */
@Injectable()
export class SuperuserActionsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly storage: UserStorageService,
    private readonly clock: Clock,
    private readonly tokens: AccountTokensService,
    private readonly lockout: LoginLockoutRepository,
  ) {}

  /** Approved, and active unless told otherwise; under the same lock and re-check as every other action. */
  create(
    actor: Actor,
    input: NewUser,
    flags: { isActive: boolean; isSuperuser: boolean },
    context: RequestContext,
  ): Promise<User> {
    return this.accounts.create(
      input,
      { kind: 'admin', actor, ...flags },
      {
        context,
        duplicate: alreadyExists,
        transaction: (work) =>
          this.locked(actor, async ({ manager, authorize }) => {
            authorize();
            return work(manager);
          }),
      },
    );
  }

  async update(actor: Actor, targetId: string, changes: UserChanges, context: RequestContext): Promise<User> {
    try {
      return await this.lockedTarget(actor, targetId, async ({ manager, superusers, authorize }, target) => {
        const self = target.id === actor.id;
        if (self && changes.is_superuser === false && target.isSuperuser)
          throw new AppError('CANNOT_DEMOTE_SELF', 'Cannot demote yourself');
        if (self && changes.is_active === false && target.isActive)
          throw new AppError('CANNOT_DEACTIVATE_SELF', 'Cannot deactivate yourself');
        const losesPower = superusers.has(target.id) && (changes.is_superuser === false || changes.is_active === false);
        if (losesPower && superusers.size <= 1) throw lastSuperuser();
        const renames = changes.username !== undefined || changes.email !== undefined;
        if (
          renames &&
          (await this.accounts.identifierTaken(
            changes.username ?? target.username,
            changes.email ?? target.email,
            target.id,
            manager,
          ))
        ) {
          throw alreadyExists();
        }
        authorize();
        const diff = diffOf(target, changes);
        if (Object.keys(diff).length === 0) return target;
        const patch: QueryDeepPartialEntity<User> = {};
        if (changes.username !== undefined) patch.username = changes.username;
        if (changes.email !== undefined) patch.email = changes.email;
        if (changes.is_active !== undefined) patch.isActive = changes.is_active;
        if (changes.is_superuser !== undefined) patch.isSuperuser = changes.is_superuser;
        await this.users.update(manager, target.id, patch);
        if (changes.is_active === false && target.isActive) {
          await this.endSessions(manager, actor, target, 'deactivated', context);
        }
        await this.record(manager, 'admin_user_update', actor, target, context, { changes: diff });
        return this.reload(manager, target.id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists();
      throw error;
    }
  }

  /**
   * Makes the target a superuser. `recover` (the CLI's way back in when every admin is locked out)
   * also activates and approves the account and clears its login lockout.
   */
  promote(
    actor: Actor | null,
    targetId: string,
    options: { reason: string | null; recover?: boolean; source?: 'cli' },
    context: RequestContext,
  ): Promise<Promotion> {
    return this.lockedTarget(actor, targetId, async ({ manager, authorize }, target) => {
      const lockoutCleared = !!options.recover && (target.failedLoginCount > 0 || target.lockedUntil !== null);
      const wanted: Partial<User> = options.recover
        ? { isSuperuser: true, isActive: true, isApproved: true, approvalStatus: 'approved' }
        : { isSuperuser: true };
      const changes = changesTo(target, wanted);
      if (Object.keys(changes).length === 0 && !lockoutCleared) {
        if (!options.recover) throw new AppError('USER_ALREADY_SUPERUSER', 'User is already a superuser');
        return { user: target, changed: false, lockoutCleared };
      }
      authorize();
      const patch: QueryDeepPartialEntity<User> = { ...wanted };
      if (lockoutCleared) Object.assign(patch, { failedLoginCount: 0, lockedUntil: null });
      if (target.approvalStatus !== 'approved' && options.recover) {
        Object.assign(patch, { approvedAt: this.clock.now(), approvedBy: null, rejectionReason: null });
      }
      await this.users.update(manager, target.id, patch);
      await this.record(manager, 'admin_user_promotion', actor, target, context, {
        source: options.source,
        reason: options.reason,
        changes,
        lockout_cleared: options.recover ? lockoutCleared : undefined,
      });
      return { user: await this.reload(manager, target.id), changed: true, lockoutCleared };
    });
  }

  demote(actor: Actor, targetId: string, reason: string | null, context: RequestContext): Promise<User> {
    return this.lockedTarget(actor, targetId, async ({ manager, superusers, authorize }, target) => {
      if (!target.isSuperuser) throw new AppError('USER_NOT_SUPERUSER', 'User is not a superuser');
      if (target.id === actor.id) throw new AppError('CANNOT_DEMOTE_SELF', 'Cannot demote yourself');
      if (superusers.has(target.id) && superusers.size <= 1) throw lastSuperuser();
      authorize();
      await this.users.update(manager, target.id, { isSuperuser: false });
      await this.record(manager, 'admin_user_demotion', actor, target, context, { reason });
      return this.reload(manager, target.id);
    });
  }

  /**
   * Deletes the user (sessions go with it) and archives its tree, both or neither (docs/API.md §14
   * Per-user storage): the move is the last step before the commit, so a tree that cannot be moved
   * rolls the deletion back (503 STORAGE_UNAVAILABLE), and a commit that fails moves it back. (A
   * connection lost during COMMIT leaves the outcome unknown: the tree goes back to users/, where
   * start-up reports it if the user turns out to be gone.)
   */
  async remove(actor: Actor, targetId: string, context: RequestContext): Promise<User> {
    const at = this.clock.now();
    let archived: { id: string; path: string } | undefined;
    try {
      return await this.lockedTarget(actor, targetId, async ({ manager, superusers, authorize }, target) => {
        if (target.id === actor.id) throw new AppError('CANNOT_DELETE_SELF', 'Cannot delete yourself');
        if (superusers.has(target.id) && superusers.size <= 1) throw lastSuperuser();
        authorize();
        await this.users.delete(manager, target.id);
        await this.record(manager, 'admin_user_deletion', actor, target, context, {
          deleted_username: target.username,
          deleted_email: target.email,
          storage_archived_to: this.storage.archivePathFor(target.id, at),
        });
        const moved = await this.storage.archiveTree(target.id, at);
        if (moved) archived = { id: target.id, path: moved };
        return target;
      });
    } catch (error) {
      if (archived) await this.storage.restoreArchivedTree(archived.id, archived.path);
      throw error;
    }
  }

  /** Clears every lockout counter of the account (per address and account-wide). */
  unlock(actor: Actor, targetId: string, context: RequestContext): Promise<User> {
    return this.lockedTarget(actor, targetId, async ({ manager, authorize }, target) => {
      authorize();
      const cleared = await this.lockout.clearLockout(target.id, manager);
      await this.record(manager, 'account_unlocked', actor, target, context, { was_locked: cleared });
      return target;
    });
  }

  /** Ends the user's live sessions, the caller's own too if it is them (docs/API.md §5 Sessions and tokens). */
  revokeSessions(actor: Actor, targetId: string, context: RequestContext): Promise<number> {
    return this.lockedTarget(actor, targetId, async ({ manager, authorize }, target) => {
      authorize();
      const ended = await this.sessions.revokeLiveForUser(manager, target.id, 'by_admin');
      await this.record(manager, 'session_revoked', actor, target, context, { reason: 'by_admin', sessions: ended });
      return ended;
    });
  }

  /**
   * The one way into an admin write: a transaction holding every active superuser row; `work`
   * runs its own checks, calls `authorize()`, then writes and audits with `manager`. Used by the
   * actions here and by the other admin writes of this module (trusted domains).
   */
  locked<T>(actor: Actor | null, work: (locked: Locked) => Promise<T>): Promise<T> {
    return this.users.transaction(async (manager) => {
      const superusers = await this.users.lockActiveSuperusers(manager);
      const authorize = () => {
        if (actor && !superusers.has(actor.id)) throw new AppError('ADMIN_REQUIRED', 'Admin access required');
      };
      return work({ manager, superusers, authorize });
    });
  }

  /**
   * The action on one locked target, inside `locked`; after commit, this process forgets the
   * target's cached sessions. Also the way in for the decisions (ApprovalsService).
   */
  async lockedTarget<T>(actor: Actor | null, targetId: string, work: (locked: Locked, target: User) => Promise<T>): Promise<T> {
    const result = await this.locked(actor, async (locked) => {
      const target = await this.users.lockById(locked.manager, targetId);
      if (!target) throw userNotFound();
      return work(locked, target);
    });
    this.sessions.forgetUser(targetId);
    return result;
  }

  private async reload(manager: EntityManager, id: string): Promise<User> {
    const user = await this.users.findById(id, manager);
    if (!user) throw userNotFound();
    return user;
  }

  /** Deactivation and rejection end the user's sessions and void their mailed tokens. */
  async endSessions(manager: EntityManager, actor: Actor, target: User, reason: string, context: RequestContext): Promise<void> {
    await this.tokens.voidAll(manager, target.id);
    const ended = await this.sessions.revokeAllForUser(manager, target.id, reason);
    if (ended > 0) await this.record(manager, 'session_revoked', actor, target, context, { reason, sessions: ended });
  }

  private record(
    manager: EntityManager,
    eventType: AuditEventType,
    actor: Actor | null,
    target: User,
    context: RequestContext,
    details: Record<string, unknown>,
  ): Promise<void> {
    return auditUser(this.audit, manager, { eventType, actor, target, context, details });
  }
}
