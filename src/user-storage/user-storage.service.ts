import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../common/errors/app-error';
import { InlineFs } from '../common/fs/inline-fs';
import { AppConfig } from '../config/app-config';

export const USER_SUBDIRECTORIES = [
  'nodes',
  'attributeNodes',
  'relationNodes',
  'transitions',
  'functions',
  'graphs',
  'schemas',
] as const;

export const USER_REGISTRY_FILES = [
  'node_registry.json',
  'attribute_registry.json',
  'relation_registry.json',
  'transition_registry.json',
  'function_registry.json',
] as const;

/** For a create-if-missing: what exists already is left as it is. */
function ignoreExisting(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}

/** docs/API.md §14 Per-user storage: a tree is private to the service. */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** DATA_DIR/users: the parent of every user's tree. */
export function usersRootOf(dataDir: string): string {
  return path.join(dataDir, 'users');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 503: the tree could not be made or moved (nothing a client did); the cause is logged. */
export class StorageUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('STORAGE_UNAVAILABLE', 'User storage is unavailable', { 'Retry-After': '5' }, { cause });
    this.name = 'StorageUnavailableError';
  }
}

export interface ReconcileReport {
  created: string[];
  orphans: string[];
}

/** The per-user tree under DATA_DIR/users/<uuid>/ (docs/API.md §14 Per-user storage). Paths come from the UUID only. */
@Injectable()
export class UserStorageService {
  private readonly logger = new Logger(UserStorageService.name);
  /** Synchronous calls on a local disk, the thread pool on a slow one (see InlineFs). */
  private readonly files = new InlineFs((ms) =>
    this.logger.warn(`DATA_DIR is slow (a call took ${ms.toFixed(1)} ms): trees are made through the thread pool from now on`),
  );

  constructor(private readonly config: AppConfig) {}

  get usersRoot(): string {
    return usersRootOf(this.config.dataDir);
  }

  get deletedRoot(): string {
    return path.join(this.config.dataDir, 'deleted');
  }

  userDir(userId: string): string {
    return path.join(this.usersRoot, this.userDirName(userId));
  }

  /** The only part of a path that comes from outside: a canonical UUID, checked. */
  private userDirName(userId: string): string {
    if (!UUID.test(userId)) throw new Error(`not a canonical UUID: ${JSON.stringify(userId)}`);
    return userId;
  }

  /** Makes the whole tree (folders 0700, files 0600); existing files are never overwritten. Throws StorageUnavailableError. */
  async createTree(userId: string): Promise<void> {
    const dir = this.userDir(userId);
    try {
      // Recursive: also remakes DATA_DIR/users (0700 too) if it went away since start-up.
      await this.files.mkdir(dir, { recursive: true, mode: FOLDER_MODE });
      // One entry after the other: each is a synchronous call in its own turn of the event loop.
      for (const sub of USER_SUBDIRECTORIES) {
        await this.files.mkdir(path.join(dir, sub), { mode: FOLDER_MODE }).catch(ignoreExisting);
      }
      for (const file of USER_REGISTRY_FILES) {
        await this.files.writeFile(path.join(dir, file), '{}', { flag: 'wx', mode: FILE_MODE }).catch(ignoreExisting);
      }
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  /** Removes a tree this process just made for a user whose creation was rolled back. */
  async discardNewTree(userId: string): Promise<void> {
    await fs.rm(this.userDir(userId), { recursive: true, force: true }).catch((error) => {
      this.logger.warn(`could not remove the tree of a rolled-back user ${userId}: ${(error as Error).message}`);
    });
  }

  archivePathFor(userId: string, at: Date): string {
    const stamp = at.toISOString().replace(/[:.]/g, '-');
    return path.join(this.deletedRoot, `${this.userDirName(userId)}-${stamp}`);
  }

  /**
   * Moves a deleted user's tree to DATA_DIR/deleted/<uuid>-<timestamp>/; nothing is lost. Null when
   * the user has no tree; StorageUnavailableError when it cannot be moved (it stays where it was).
   */
  async archiveTree(userId: string, at: Date = new Date()): Promise<string | null> {
    const source = this.userDir(userId);
    const target = this.archivePathFor(userId, at);
    try {
      await fs.lstat(source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StorageUnavailableError(error);
    }
    try {
      await this.ensureRoot(this.deletedRoot);
      await fs.rename(source, target);
      return target;
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  /** Undoes archiveTree for a deletion that did not commit: the user still exists, so does its tree. */
  async restoreArchivedTree(userId: string, archived: string): Promise<void> {
    await fs.rename(archived, this.userDir(userId)).catch((error) => {
      this.logger.error(
        `the deletion of user ${userId} was rolled back, but its tree could not be moved back from ${archived}: ${(error as Error).message}`,
      );
    });
  }

  /**
   * Makes sure both storage folders exist (0700 when created here) and take a new file: a probe
   * is written and removed in each. Throws naming the folder (relative to DATA_DIR) that fails.
   */
  async probeWritable(): Promise<void> {
    for (const [root, name] of [
      [this.usersRoot, 'DATA_DIR/users'],
      [this.deletedRoot, 'DATA_DIR/deleted'],
    ] as const) {
      const probe = path.join(root, `.ready-${randomBytes(6).toString('hex')}`);
      try {
        await this.ensureRoot(root);
        await fs.writeFile(probe, 'ok', { flag: 'wx', mode: FILE_MODE });
        await fs.rm(probe, { force: true });
      } catch (error) {
        this.logger.warn(`${name} is not writable: ${(error as Error).message}`);
        throw new Error(`${name} is not writable`);
      }
    }
  }

  /**
   * DATA_DIR/users or DATA_DIR/deleted, created 0700 when missing (DATA_DIR itself keeps the mode
   * start-up gave it). A folder that exists is left as it is; anything else there fails the next step.
   */
  private async ensureRoot(root: string): Promise<void> {
    await fs.mkdir(path.dirname(root), { recursive: true });
    await fs.mkdir(root, { mode: FOLDER_MODE }).catch(ignoreExisting);
  }

  async hasCompleteTree(userId: string): Promise<boolean> {
    const dir = this.userDir(userId);
    const entries = [...USER_SUBDIRECTORIES, ...USER_REGISTRY_FILES].map((name) => path.join(dir, name));
    const present = await Promise.all(
      entries.map((entry) =>
        fs.access(entry).then(
          () => true,
          () => false,
        ),
      ),
    );
    return present.every(Boolean);
  }

  /**
   * Completes the tree of every listed user; reports (never removes) trees without a user. A
   * missing tree is made through `complete`, which may decline (returns false): the caller's
   * chance to check, under a lock, that the user still exists (another instance may be deleting it).
   */
  async reconcile(
    userIds: Iterable<string>,
    complete: (userId: string, create: () => Promise<void>) => Promise<boolean> = async (_userId, create) => {
      await create();
      return true;
    },
  ): Promise<ReconcileReport> {
    const known = new Set(userIds);
    const report: ReconcileReport = { created: [], orphans: [] };
    for (const userId of known) {
      if (!(await this.hasCompleteTree(userId)) && (await complete(userId, () => this.createTree(userId)))) {
        report.created.push(userId);
      }
    }
    let onDisk: string[] = [];
    try {
      onDisk = await fs.readdir(this.usersRoot);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Hidden names are other processes' start-up probes (`.write-probe-<pid>`, `.ready-<hex>`),
    // there for a moment while another instance or a CLI command starts on the same DATA_DIR.
    report.orphans = onDisk.filter((name) => !name.startsWith('.') && !known.has(name)).sort();
    return report;
  }
}
