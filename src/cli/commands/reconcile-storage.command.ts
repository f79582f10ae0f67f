import { promises as fs } from 'node:fs';
import { AppConfig } from '../../config/app-config';
import { UserStorageService } from '../../user-storage/user-storage.service';
import { StorageReconciler } from '../../users/storage-reconciler';
import { out } from '../cli-io';
import { CommandHandler } from '../command';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The complete trees on disk before the application starts. Start-up itself completes every
 * user's tree (the reconciler runs at bootstrap, in the CLI too), so what this command reports
 * as completed is the difference between this scan and the users it then finds.
 */
async function completeTreesOnDisk(config: AppConfig): Promise<Set<string>> {
  const storage = new UserStorageService(config);
  let names: string[];
  try {
    names = await fs.readdir(storage.usersRoot);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  const complete = new Set<string>();
  for (const name of names.filter((entry) => UUID.test(entry))) {
    if (await storage.hasCompleteTree(name)) complete.add(name);
  }
  return complete;
}

export const reconcileStorage: CommandHandler<Set<string>> = {
  prepare: (_args, config) => completeTreesOnDisk(config),
  async run(app, _args, completeBefore) {
    const storage = app.get(UserStorageService);
    const report = await app.get(StorageReconciler).reconcile();
    const ids = report.userIds;
    const completed = [...new Set([...ids.filter((id) => !completeBefore.has(id)), ...report.created])].sort();

    out(`Storage root: ${storage.usersRoot}`);
    out(`Users: ${ids.length}; trees completed: ${completed.length}`);
    for (const id of completed) out(`  completed  ${id}`);
    out(`Trees without a user (kept, not removed): ${report.orphans.length}`);
    for (const name of report.orphans) out(`  orphan     ${name}`);
    return 0;
  },
};
