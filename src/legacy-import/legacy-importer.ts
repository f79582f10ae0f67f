import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { UserStorageService } from '../user-storage/user-storage.service';
import { UsersRepository } from '../users/users.repository';
import { LegacyDatabase } from './legacy-database';
import { LegacyUser, mapLegacyUser } from './legacy-user';

export interface ImportedUserRef {
  id: string;
  username: string;
}

export interface ImportProblem {
  id: string | null;
  username: string | null;
  email: string | null;
  reason: string;
  /** For a conflict: the account that already holds the username or email. */
  conflicting_id?: string;
}

export interface LegacyImportReport {
  file: string;
  schema: LegacyDatabase['schema'];
  rows: number;
  dryRun: boolean;
  imported: ImportedUserRef[];
  /** Already in the users table under the same id (a previous run): left untouched. */
  skippedExisting: ImportedUserRef[];
  /** The username or email belongs to another account (case-insensitively): skipped. */
  conflicts: ImportProblem[];
  /** Rows that cannot be imported at all (no UUID, empty username…): skipped. */
  invalid: ImportProblem[];
  /** Imported, but the hash is neither argon2 nor bcrypt: the password must be reset. */
  unusableHashes: ImportedUserRef[];
  treesReused: number;
  treesCreated: number;
  treeFailures: Array<{ id: string; error: string }>;
  /** Active, approved superusers after the import (0: run create-superuser). */
  activeSuperusers: number;
}

/** Audit details stay bounded however large the legacy table is. */
const AUDIT_LIST_LIMIT = 200;

class DryRunRollback extends Error {}

/**
 * Copies the users of the original system into the users table, keeping ids and password hashes
 * (which verify as they are and are re-hashed on the next login). One transaction holds every
 * insert and one `legacy_import` audit event; the users table is locked against concurrent writes
 * for its duration, so the duplicate checks stay true until commit. Idempotent: an id that exists
 * already is skipped, never overwritten.
 */
@Injectable()
export class LegacyImporter {
  constructor(
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly storage: UserStorageService,
  ) {}

  async run(legacy: LegacyDatabase, options: { dryRun?: boolean; userAgent?: string | null } = {}): Promise<LegacyImportReport> {
    const report: LegacyImportReport = {
      file: legacy.file,
      schema: legacy.schema,
      rows: legacy.rows.length,
      dryRun: options.dryRun ?? false,
      imported: [],
      skippedExisting: [],
      conflicts: [],
      invalid: [],
      unusableHashes: [],
      treesReused: 0,
      treesCreated: 0,
      treeFailures: [],
      activeSuperusers: 0,
    };
    const users: LegacyUser[] = [];
    for (const row of legacy.rows) {
      const result = mapLegacyUser(row, legacy.columns);
      if ('user' in result) users.push(result.user);
      else report.invalid.push({ id: result.id, username: result.username, email: result.email, reason: result.invalid });
    }
    // The oldest account keeps a contested username or email, whatever the table order.
    const time = (user: LegacyUser) => (user.createdAt === null ? Number.POSITIVE_INFINITY : Date.parse(user.createdAt));
    users.sort((a, b) => {
      const [x, y] = [time(a), time(b)];
      return x === y ? 0 : x < y ? -1 : 1;
    });

    try {
      await this.users.transaction(async (manager) => {
        await this.users.lockForBulkImport(manager);
        for (const user of users) await this.importOne(manager, user, report);
        report.activeSuperusers = await this.users.countActiveSuperusers(manager, true);
        await this.audit.record(manager, {
          eventType: 'legacy_import',
          actor: null,
          target: null,
          userAgent: options.userAgent ?? null,
          details: {
            source: 'cli',
            file: report.file,
            schema: report.schema,
            rows: report.rows,
            imported: report.imported.length,
            skipped_existing: report.skippedExisting.length,
            conflicts: report.conflicts.slice(0, AUDIT_LIST_LIMIT),
            conflict_count: report.conflicts.length,
            invalid: report.invalid.slice(0, AUDIT_LIST_LIMIT),
            invalid_count: report.invalid.length,
            unusable_credentials: report.unusableHashes.length,
          },
        });
        if (report.dryRun) throw new DryRunRollback();
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      return report;
    }
    await this.createTrees(report);
    return report;
  }

  private async importOne(manager: EntityManager, user: LegacyUser, report: LegacyImportReport): Promise<void> {
    const ref = { id: user.id, username: user.username };
    if (await this.users.findById(user.id, manager)) {
      report.skippedExisting.push(ref);
      return;
    }
    // The rule of every account: a username or email may not equal any other account's username
    // or email under the identity rules (docs/API.md §3 Identity rules).
    const keys = { username: user.usernameKey, email: user.emailKey };
    const [conflict] = await this.users.identifierHolders(keys, { exceptId: user.id, manager, limit: 1 });
    if (conflict) {
      report.conflicts.push({
        id: user.id,
        username: user.username,
        email: user.email,
        reason: `duplicate ${conflict.usernameTaken ? 'username' : 'email'}: already used by '${conflict.username}'`,
        conflicting_id: conflict.id,
      });
      return;
    }
    // Nothing inserted: the same id came twice in the file (32 hex digits and hyphenated).
    if (!(await this.users.insertImported(manager, user))) {
      report.skippedExisting.push(ref);
      return;
    }
    report.imported.push(ref);
    if (user.unusableHash) report.unusableHashes.push(ref);
  }

  /**
   * After commit: a tree already under DATA_DIR/users/<uuid>/ (DATA_DIR pointing at the old
   * graph_data) is reused, only its missing parts are added. A failure here leaves the users in
   * place; start-up or `reconcile-storage` completes their trees later.
   */
  private async createTrees(report: LegacyImportReport): Promise<void> {
    for (const { id } of report.imported) {
      const existed = existsSync(this.storage.userDir(id));
      try {
        await this.storage.createTree(id);
        if (existed) report.treesReused += 1;
        else report.treesCreated += 1;
      } catch (error) {
        report.treeFailures.push({ id, error: (error as Error).message });
      }
    }
  }
}
