import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UsersService } from '../users/users.service';
import { ReconcileReport, UserStorageService } from './user-storage.service';

/** At start-up every user gets a complete tree; trees without a user are reported, never removed. */
@Injectable()
export class StorageReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger('StorageReconciler');

  constructor(
    private readonly users: UsersService,
    private readonly storage: UserStorageService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reconcile();
  }

  async reconcile(): Promise<ReconcileReport> {
    const report = await this.storage.reconcile(await this.users.allIds());
    if (report.created.length > 0) {
      this.logger.warn(`completed the storage tree of ${report.created.length} user(s): ${report.created.join(', ')}`);
    }
    if (report.orphans.length > 0) {
      this.logger.warn(
        `${report.orphans.length} storage tree(s) under users/ belong to no user (kept, not removed): ${report.orphans.join(', ')}`,
      );
    }
    return report;
  }
}
