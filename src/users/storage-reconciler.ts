import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ReconcileReport, UserStorageService } from '../user-storage/user-storage.service';
import { UsersRepository } from './users.repository';

/**
 * At start-up every user gets a complete tree; trees without a user are reported, never removed
 * (docs/API.md §14 Per-user storage). The storage module knows no users: it is given their ids.
 */
@Injectable()
export class StorageReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger('StorageReconciler');

  constructor(
    private readonly users: UsersRepository,
    private readonly storage: UserStorageService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reconcile();
  }

  /**
   * Safe while other instances serve (docs/DEPLOYMENT.md, Several instances behind HAProxy): a
   * missing tree is made with its user's row locked, and only if the row is still there, so that a
   * deletion on another instance (which locks the row and archives the tree) never gets its tree
   * made again; a tree whose user was created after the first read is not called an orphan.
   */
  async reconcile(): Promise<ReconcileReport & { userIds: string[] }> {
    const userIds = await this.users.allIds();
    const report = await this.storage.reconcile(userIds, (userId, create) =>
      this.users.transaction(async (manager) => {
        if (!(await this.users.lockById(manager, userId))) return false;
        await create();
        return true;
      }),
    );
    if (report.orphans.length > 0) {
      const now = new Set(await this.users.allIds());
      report.orphans = report.orphans.filter((id) => !now.has(id));
    }
    if (report.created.length > 0) {
      this.logger.warn(`completed the storage tree of ${report.created.length} user(s): ${report.created.join(', ')}`);
    }
    if (report.orphans.length > 0) {
      this.logger.warn(
        `${report.orphans.length} storage tree(s) under users/ belong to no user (kept, not removed): ${report.orphans.join(', ')}`,
      );
    }
    return { ...report, userIds };
  }
}
