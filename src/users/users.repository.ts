import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { runPrepared } from '../database/prepared';
import { User } from './user.entity';
import {
  CREATION_CHECK,
  importedValues,
  INSERT_IMPORTED,
  INSERT_USER,
  listStatements,
  newUserValues,
  pendingStatements,
  SESSION_WITH_OWNER,
  type Statement,
  USER_BY_LOGIN,
} from './users.repository.sql';
import type {
  ImportedUserRow,
  IdentifierHolder,
  NewUserRow,
  PendingPage,
  PendingQuery,
  SessionWithOwner,
  UserCounts,
  UserListQuery,
  UserListResult,
} from './users.repository.types';

/** Any fixed 64-bit number: the advisory lock that decides who the first user is. */
const FIRST_USER_LOCK = '7449363237540422961';

/**
 * Every query on the users table (migrations aside). Methods that take a manager run inside the
 * caller's transaction; the rules (who may do what, in which state) live in the services.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private run(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** Opens a transaction; the work gets its manager. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.run(manager).findOneBy(User, { id });
  }

  /**
   * The account a login identifier names: its username key, or its email key; a username match
   * wins (one namespace makes a match of both kinds on two accounts impossible anyway).
   */
  async findByLoginKeys(keys: { username: string; email: string | null }): Promise<User | null> {
    const [row] = await runPrepared<Record<string, unknown>>(this.dataSource, USER_BY_LOGIN, [keys.username, keys.email]);
    return row ? this.toUser(row) : null;
  }

  /**
   * Accounts holding one of the given keys as their username key or email key (one namespace),
   * oldest first, leaving out `exceptId`.
   */
  async identifierHolders(
    keys: { username: string; email: string },
    options: { exceptId?: string; manager?: EntityManager; limit?: number } = {},
  ): Promise<IdentifierHolder[]> {
    const rows: Array<{ id: string; username: string; email: string; username_taken: boolean }> = await this.run(
      options.manager,
    ).query(
      `SELECT u.id, u.username, u.email, bool_or(i.key = $1) AS username_taken
         FROM user_identifiers i JOIN users u ON u.id = i.user_id
        WHERE i.key IN ($1, $2) AND ($3::uuid IS NULL OR u.id <> $3::uuid)
        GROUP BY u.id
        ORDER BY u.created_at, u.id
        LIMIT $4`,
      [keys.username, keys.email, options.exceptId ?? null, options.limit ?? 10],
    );
    return rows.map((row) => ({ id: row.id, username: row.username, email: row.email, usernameTaken: row.username_taken }));
  }

  /**
   * Before a new account's password is hashed: is its username or email taken (as in
   * `identifierHolders`), and does any user exist at all (one round trip for both).
   */
  async creationCheck(keys: { username: string; email: string }): Promise<{ taken: boolean; populated: boolean }> {
    const [row] = await runPrepared<{ taken: boolean; populated: boolean }>(this.dataSource, CREATION_CHECK, [
      keys.username,
      keys.email,
    ]);
    return row;
  }

  /**
   * True when this transaction creates the first user ever. Once a user exists there can be no
   * first user again, so the advisory lock is only taken while the table is empty; concurrent
   * registrations then queue on it and exactly one sees the table still empty.
   */
  async claimFirstUser(manager: EntityManager): Promise<boolean> {
    const empty = async () => !((await manager.query('SELECT EXISTS (SELECT 1 FROM users) AS e'))[0].e as boolean);
    if (!(await empty())) return false;
    await this.advisoryLock(manager, FIRST_USER_LOCK);
    return empty();
  }

  /**
   * Locks the rows of every active superuser, always in id order so that concurrent admin writes
   * queue instead of deadlocking; returns their ids.
   */
  async lockActiveSuperusers(manager: EntityManager): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE',
    );
    return new Set(rows.map((row) => row.id));
  }

  lockById(manager: EntityManager, id: string): Promise<User | null> {
    return manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Locks the users among these ids, one after another in id order (the sort runs below the row
   * locks), so that two transactions locking overlapping sets queue instead of deadlocking.
   */
  async lockByIds(manager: EntityManager, ids: string[]): Promise<User[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      'SELECT * FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    return rows.map((row) => this.toUser(row));
  }

  /** Inserts a user and returns the row as stored (defaults, keys and times), in one round trip. */
  async insert(manager: EntityManager, row: NewUserRow): Promise<User> {
    const [created] = await runPrepared<Record<string, unknown>>(this.dataSource, INSERT_USER, newUserValues(row), manager);
    return this.toUser(created);
  }

  /**
   * The legacy import's insert: keeps the given id and hash, verified; false when that id exists
   * already. Times are text PostgreSQL parses (microseconds kept); no creation time means now.
   */
  async insertImported(manager: EntityManager, user: ImportedUserRow): Promise<boolean> {
    const inserted: unknown[] = await manager.query(INSERT_IMPORTED, importedValues(user));
    return inserted.length > 0;
  }

  async update(manager: EntityManager | undefined, id: string, patch: QueryDeepPartialEntity<User>): Promise<void> {
    await this.run(manager).update(User, { id }, patch);
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(User, { id });
  }

  /** Holds off every other write on users for the rest of the transaction (the legacy import). */
  async lockForBulkImport(manager: EntityManager): Promise<void> {
    await manager.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  }

  async allIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM users');
    return rows.map((row) => row.id);
  }

  /** A prepared statement: planned once per connection, about twice the rate of an unnamed one. */
  async findSessionWithOwner(sessionId: string): Promise<SessionWithOwner | null> {
    const [row] = await runPrepared<SessionWithOwner>(this.dataSource, SESSION_WITH_OWNER, [sessionId]);
    return row ?? null;
  }

  /** Filters, a keyset page, and counts over the whole filtered set (the kept counts row when unfiltered). */
  async list(query: UserListQuery): Promise<UserListResult> {
    const { page, counts } = listStatements(query);
    const [found, totals] = await Promise.all([
      this.keysetPage(page, query.limit),
      this.dataSource.query(counts.text, counts.values) as Promise<Array<{ total: number; superusers: number; active: number }>>,
    ]);
    return { ...found, total: totals[0].total, superusers: totals[0].superusers, activeUsers: totals[0].active };
  }

  /** Up to `limit` users of a keyset statement (which asks for one more), and where the next page starts. */
  private async keysetPage(page: Statement, limit: number): Promise<Pick<UserListResult, 'users' | 'nextAfter'>> {
    const rows = (await this.dataSource.query(page.text, page.values)) as Array<
      Record<string, unknown> & { sort_value: string; id: string }
    >;
    const kept = rows.slice(0, limit);
    const last = kept[kept.length - 1];
    return {
      users: kept.map((row) => this.toUser(row)),
      nextAfter: rows.length > limit && last ? { value: last.sort_value, id: last.id } : null,
    };
  }

  /** A raw row (column names) as an entity (property names). */
  private toUser(row: Record<string, unknown>): User {
    const columns = this.dataSource.getMetadata(User).columns;
    return this.dataSource.manager.create(User, Object.fromEntries(columns.map((c) => [c.propertyName, row[c.databaseName]])));
  }

  /** One row kept exact by triggers (UserCounts migration), not a count over every user. */
  async counts(): Promise<UserCounts> {
    const [row] = (await this.dataSource.query(
      'SELECT total::int, active::int, superusers::int, pending::int, rejected::int FROM user_counts WHERE id = 1',
    )) as UserCounts[];
    return row;
  }

  /** A page of pending registrations, oldest first, and the size of the whole filtered queue. */
  async pendingQueue(query: PendingQuery): Promise<PendingPage> {
    const { page, count } = pendingStatements(query);
    const [found, counted] = await Promise.all([
      this.keysetPage(page, query.limit),
      this.dataSource.query(count.text, count.values) as Promise<Array<{ n: number }>>,
    ]);
    return { ...found, count: counted[0].n };
  }

  /**
   * Pending registrations no superusers' digest has listed yet, oldest first, locked (SKIP LOCKED:
   * two digests never list one twice), and how many more wait beyond `limit`.
   */
  async pendingNotInDigest(manager: EntityManager, limit: number): Promise<{ users: User[]; more: number }> {
    const users = await manager
      .createQueryBuilder(User, 'u')
      .where(`u.approval_status = 'pending' AND u.admin_notified_at IS NULL`)
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    const [{ n }] = (await manager.query(
      `SELECT count(*)::int AS n FROM users WHERE approval_status = 'pending' AND admin_notified_at IS NULL`,
    )) as Array<{ n: number }>;
    return { users, more: Math.max(0, n - users.length) };
  }

  async markInDigest(manager: EntityManager, ids: string[], at: Date): Promise<void> {
    await manager.query('UPDATE users SET admin_notified_at = $2 WHERE id = ANY($1::uuid[])', [ids, at]);
  }

  activeSuperusers(manager: EntityManager): Promise<User[]> {
    return manager.find(User, { where: { isSuperuser: true, isActive: true }, order: { createdAt: 'ASC' } });
  }

  /** Serialises whoever takes the same lock until this transaction ends. */
  async advisoryLock(manager: EntityManager, key: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [key]);
  }

  /** Active superusers; `approvedOnly` also requires is_approved (what the legacy import reports). */
  async countActiveSuperusers(manager?: EntityManager, approvedOnly = false): Promise<number> {
    const rows: Array<{ n: number }> = await this.run(manager).query(
      `SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active${approvedOnly ? ' AND is_approved' : ''}`,
    );
    return rows[0].n;
  }
}
