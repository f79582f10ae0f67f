import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/database-errors';
import { RequestContext } from '../common/http/request-context';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { assertPasswordAcceptable } from '../passwords/password-policy';
import { UserStorageService } from '../user-storage/user-storage.service';
import { emailKey, loginKeys, normaliseUsername, usernameKey } from './identity';
import { UserMailService } from './user-mail.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import type {
  IdentifierHolder,
  NewUserRow,
  PendingPage,
  PendingQuery,
  SessionWithOwner,
  UserCounts,
  UserListQuery,
  UserListResult,
} from './users.repository.types';

/** Who acts on users: a superuser (through the API), or nobody (the operator's CLI). */
export interface Actor {
  id: string;
  username: string;
}

export interface NewUser {
  email: string;
  username: string;
  password: string;
  approvalNote?: string | null;
  institution?: string | null;
}

/**
 * Where a new account comes from, which decides its first state (docs/API.md §2 Users and their
 * states): self-registered users wait for approval; admin-created ones are approved; the operator
 * (CLI, bootstrap) creates approved, active superusers.
 */
export type Origin =
  | { kind: 'self' }
  | { kind: 'admin'; actor: Actor; isActive: boolean; isSuperuser: boolean }
  | { kind: 'operator'; source: 'cli' | 'bootstrap' };

export type Transaction = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;

export interface CreateOptions {
  context: RequestContext;
  /** The error a duplicate username or email answers with on this route. */
  duplicate: () => AppError;
  /** Opens the creating transaction; admin creation passes one that holds the superuser lock. */
  transaction?: Transaction;
}

/** Accounts: creation (every origin), lookups, and the read side of the admin routes. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly storage: UserStorageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly mail: UserMailService,
  ) {}

  /**
   * Creates a user, its audit trail and its storage tree in one transaction: if the tree cannot
   * be made, nothing remains (503). The first user ever is superuser, approved and active (unless
   * FIRST_USER_SUPERUSER=false), decided under an advisory lock so that concurrent registrations
   * agree on exactly one.
   */
  async create(input: NewUser, origin: Origin, options: CreateOptions): Promise<User> {
    assertPasswordAcceptable(input.password, input.username, input.email);
    const { taken, populated } = await this.users.creationCheck(identityKeys(input.username, input.email));
    if (taken) throw options.duplicate();
    const hashedPassword = await this.hasher.hash(input.password);
    const transaction = options.transaction ?? ((work) => this.users.transaction(work));

    let treeOf: string | undefined;
    try {
      return await transaction(async (manager) => {
        // Users existed before the hash: no first user can come of this one (it would take every
        // account deleted meanwhile), so the first-user check is only made while the table was empty.
        const first = this.config.firstUserSuperuser && !populated && (await this.users.claimFirstUser(manager));
        const user = await this.users.insert(manager, this.initialState(input, hashedPassword, origin, first));
        await this.recordCreation(manager, user, origin, options.context, first);
        // From here a failure rolls everything back and removes the tree. The tree comes before
        // the mails: the digest's job row, locked from its update to the commit, stays locked briefly.
        treeOf = user.id;
        await this.storage.createTree(user.id);
        if (origin.kind === 'self') await this.mail.registered(manager, user);
        return user;
      });
    } catch (error) {
      // The user does not exist, so neither may its (possibly partial) tree.
      if (treeOf) {
        this.mail.registrationRolledBack();
        await this.storage.discardNewTree(treeOf);
      }
      if (isUniqueViolation(error)) throw options.duplicate();
      throw error;
    }
  }

  /**
   * A username or email that equals, under the identity rules, any other account's username or
   * email (one namespace). The database enforces the same rule at insert; this check answers early.
   */
  async identifierTaken(username: string, email: string, exceptId?: string, manager?: EntityManager): Promise<boolean> {
    return (await this.users.identifierHolders(identityKeys(username, email), { exceptId, manager, limit: 1 })).length > 0;
  }

  /** The accounts that hold this username or email, oldest first. */
  identifierHolders(username: string, email: string): Promise<IdentifierHolder[]> {
    return this.users.identifierHolders(identityKeys(username, email));
  }

  /** The account a login identifier (username or email) names. */
  findByLogin(identifier: string): Promise<User | null> {
    return this.users.findByLoginKeys(loginKeys(identifier));
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** The session a token names, with its owner, as one row (every authenticated request). */
  findSessionWithOwner(sessionId: string): Promise<SessionWithOwner | null> {
    return this.users.findSessionWithOwner(sessionId);
  }

  /** The profile fields a user may change about themselves. */
  async updateProfile(userId: string, changes: { institution?: string | null }): Promise<User | null> {
    if (changes.institution !== undefined) await this.users.update(undefined, userId, { institution: changes.institution });
    return this.users.findById(userId);
  }

  allIds(): Promise<string[]> {
    return this.users.allIds();
  }

  list(query: UserListQuery): Promise<UserListResult> {
    return this.users.list(query);
  }

  counts(): Promise<UserCounts> {
    return this.users.counts();
  }

  pendingQueue(query: PendingQuery): Promise<PendingPage> {
    return this.users.pendingQueue(query);
  }

  private initialState(input: NewUser, hashedPassword: string, origin: Origin, first: boolean): NewUserRow {
    const base = {
      email: input.email,
      username: normaliseUsername(input.username),
      ...identityColumns(input.username, input.email),
      hashedPassword,
      isVerified: true,
      approvalNote: input.approvalNote ?? null,
      institution: input.institution ?? null,
      approvedBy: null,
      rejectionReason: null,
    };
    const approved = { isApproved: true, approvalStatus: 'approved' as const, approvedAt: this.clock.now() };
    if (first || origin.kind === 'operator') return { ...base, ...approved, isSuperuser: true, isActive: true };
    if (origin.kind === 'self') {
      return {
        ...base,
        // With EMAIL_VERIFICATION=required a registrant proves the address first (docs/API.md §9).
        isVerified: this.config.emailVerification !== 'required',
        isSuperuser: false,
        isActive: false,
        isApproved: false,
        approvalStatus: 'pending',
        approvedAt: null,
      };
    }
    return { ...base, ...approved, isSuperuser: origin.isSuperuser, isActive: origin.isActive, approvedBy: origin.actor.id };
  }

  private async recordCreation(
    manager: EntityManager,
    user: User,
    origin: Origin,
    context: RequestContext,
    first: boolean,
  ): Promise<void> {
    const target = { id: user.id, username: user.username };
    const { ip, userAgent } = context;
    if (origin.kind === 'self') {
      await this.audit.record(manager, {
        eventType: 'user_registered',
        actor: target,
        target,
        ip,
        userAgent,
        details: { email: user.email, institution: user.institution },
      });
    }
    if (first) {
      this.logger.log(`first user '${user.username}' automatically promoted to superuser`);
      await this.audit.record(manager, {
        eventType: 'first_user_superuser_promotion',
        actor: null,
        target,
        ip,
        userAgent,
        details: { username: user.username },
      });
    }
    if (origin.kind === 'self') return;
    await this.audit.record(manager, {
      eventType: 'admin_user_creation',
      actor: origin.kind === 'admin' ? origin.actor : null,
      target,
      ip,
      userAgent,
      details: {
        ...(origin.kind === 'operator' ? { source: origin.source } : {}),
        email: user.email,
        is_superuser: user.isSuperuser,
        is_active: user.isActive,
      },
    });
  }
}

/** The comparison keys of a username and an email (src/users/identity.ts). */
export function identityKeys(username: string, email: string): { username: string; email: string } {
  return { username: usernameKey(username), email: emailKey(email) ?? email.toLowerCase() };
}

/** The key columns stored with a username and an email. */
export function identityColumns(username: string, email: string): { usernameKey: string; emailKey: string } {
  const keys = identityKeys(username, email);
  return { usernameKey: keys.username, emailKey: keys.email };
}
