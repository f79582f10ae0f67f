import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/database-errors';
import { RequestContext } from '../common/http/request-context';
import { PasswordHasher } from '../auth/password/password-hasher.service';
import { UserStorageService } from '../user-storage/user-storage.service';
import { assertPasswordAcceptable } from './password-policy';
import { User } from './user.entity';

/** Any fixed 64-bit number: the advisory lock that decides who the first user is. */
const FIRST_USER_LOCK = 0x6761746568736531n;

export interface NewUser {
  email: string;
  username: string;
  password: string;
  approvalNote?: string | null;
  institution?: string | null;
}

export interface CreateUserOptions {
  /** Self-registration: pending and inactive. Admin creation: approved, active unless told otherwise. */
  origin: 'self' | { admin: { id: string; username: string }; isActive: boolean; isSuperuser: boolean };
  context: RequestContext;
  /** The error a duplicate answers with on this route. */
  duplicate: AppError;
  /** Extra work inside the creating transaction (e.g. the admin's audit event). */
  within?: (manager: EntityManager, user: User) => Promise<void>;
}

/** The only owner of the users table. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    private readonly storage: UserStorageService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Creates a user, its audit trail and its storage tree in one transaction: if the tree cannot
   * be made, nothing remains (503). The first user ever is superuser, approved and active,
   * decided under an advisory lock so that concurrent registrations agree on exactly one.
   */
  async create(input: NewUser, options: CreateUserOptions): Promise<User> {
    assertPasswordAcceptable(input.password, input.username, input.email);
    if (await this.identifierTaken(this.dataSource.manager, input.username, input.email)) throw options.duplicate;
    const hashedPassword = await this.hasher.hash(input.password);

    let treeOf: string | undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const first = await this.claimFirstUser(manager);
        const user = manager.create(User, this.initialState(input, hashedPassword, options, first));
        await manager.insert(User, user);
        const saved = await manager.findOneByOrFail(User, { id: user.id });
        await this.recordCreation(manager, saved, options, first);
        await options.within?.(manager, saved);
        // Last step before commit: a failure here rolls everything back.
        treeOf = saved.id;
        await this.storage.createTree(saved.id);
        return saved;
      });
    } catch (error) {
      // The user does not exist, so neither may its (possibly partial) tree.
      if (treeOf) await this.storage.discardNewTree(treeOf);
      if (isUniqueViolation(error)) throw options.duplicate;
      throw error;
    }
  }

  /** Username or email, case-insensitively; an exact username match wins over an email match. */
  findByLogin(identifier: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:identifier) OR lower(u.email) = lower(:identifier)', { identifier })
      .orderBy('(lower(u.username) = lower(:identifier))', 'DESC')
      .limit(1)
      .getOne();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async replacePasswordHash(userId: string, hashedPassword: string): Promise<void> {
    await this.users.update({ id: userId }, { hashedPassword });
  }

  /**
   * Counts a failed login (SPEC: 10 consecutive failures lock the account for 15 minutes). While
   * locked, failures neither count nor extend the lock; an expired lock starts the count again.
   */
  async recordLoginFailure(userId: string, now: Date, threshold: number, lockMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET
          failed_login_count = CASE
            WHEN locked_until > $2 THEN failed_login_count
            WHEN locked_until IS NOT NULL THEN 1
            ELSE failed_login_count + 1 END,
          locked_until = CASE
            WHEN locked_until > $2 THEN locked_until
            WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_login_count + 1 END) >= $3 THEN $4::timestamptz
            ELSE NULL END
        WHERE id = $1`,
      [userId, now, threshold, new Date(now.getTime() + lockMs)],
    );
  }

  async resetLoginFailures(userId: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = $1 AND (failed_login_count <> 0 OR locked_until IS NOT NULL)',
      [userId],
    );
  }

  async allIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM users');
    return rows.map((row) => row.id);
  }

  /** A username or email that collides with any existing username or email, case-insensitively. */
  async identifierTaken(manager: EntityManager, username: string, email: string, exceptId?: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users
        WHERE (lower(username) IN (lower($1), lower($2)) OR lower(email) IN (lower($1), lower($2)))
          AND ($3::uuid IS NULL OR id <> $3::uuid)
        LIMIT 1`,
      [username, email, exceptId ?? null],
    );
    return rows.length > 0;
  }

  /** The admin's audit event for a user it created, inside the creating transaction. */
  recordAdminCreation(
    manager: EntityManager,
    admin: { id: string; username: string },
    user: User,
    context: RequestContext,
  ): Promise<void> {
    return this.audit.record(manager, {
      eventType: 'admin_user_creation',
      actor: admin,
      target: { id: user.id, username: user.username },
      ip: context.ip,
      userAgent: context.userAgent,
      details: { email: user.email, is_superuser: user.isSuperuser, is_active: user.isActive },
    });
  }

  private async claimFirstUser(manager: EntityManager): Promise<boolean> {
    // Once a user exists there can be no first user again, so the lock is only taken while empty.
    const exists = async () => (await manager.query('SELECT EXISTS (SELECT 1 FROM users) AS e'))[0].e as boolean;
    if (await exists()) return false;
    await manager.query('SELECT pg_advisory_xact_lock($1)', [FIRST_USER_LOCK.toString()]);
    return !(await exists());
  }

  private initialState(input: NewUser, hashedPassword: string, options: CreateUserOptions, first: boolean): Partial<User> {
    const base: Partial<User> = {
      email: input.email,
      username: input.username,
      hashedPassword,
      isVerified: true,
      approvalNote: input.approvalNote ?? null,
      institution: input.institution ?? null,
    };
    if (first) {
      return { ...base, isSuperuser: true, isActive: true, isApproved: true, approvalStatus: 'approved', approvedAt: new Date() };
    }
    if (options.origin === 'self') {
      return { ...base, isSuperuser: false, isActive: false, isApproved: false, approvalStatus: 'pending' };
    }
    return {
      ...base,
      isSuperuser: options.origin.isSuperuser,
      isActive: options.origin.isActive,
      isApproved: true,
      approvalStatus: 'approved',
      approvedBy: options.origin.admin.id,
      approvedAt: new Date(),
    };
  }

  private async recordCreation(manager: EntityManager, user: User, options: CreateUserOptions, first: boolean): Promise<void> {
    const target = { id: user.id, username: user.username };
    const { ip, userAgent } = options.context;
    if (options.origin === 'self') {
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
  }
}
