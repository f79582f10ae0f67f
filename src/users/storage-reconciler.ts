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

  async reconcile(): Promise<ReconcileReport & { userIds: string[] }> {
    const userIds = await this.users.allIds();
    const report = await this.storage.reconcile(userIds);
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
