import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EntityManager } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { UserStorageService } from '../user-storage/user-storage.service';
import { StorageReconciler } from './storage-reconciler';
import type { User } from './user.entity';
import type { UsersRepository } from './users.repository';

const KEPT = '11111111-1111-4111-8111-111111111111';
const DELETED_MEANWHILE = '22222222-2222-4222-8222-222222222222';
const CREATED_MEANWHILE = '33333333-3333-4333-8333-333333333333';

/** The reconciler at start while another instance serves (docs/DEPLOYMENT.md, Several instances behind HAProxy). */
describe('StorageReconciler with other instances at work', () => {
  let dataDir: string;
  let storage: UserStorageService;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-reconcile-'));
    storage = new UserStorageService(loadConfig({ DATA_DIR: dataDir }));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('makes a missing tree only for a user still there once its row is locked; a tree of a user created meanwhile is no orphan', async () => {
    // Another instance registered CREATED_MEANWHILE (tree made, row committed after the first read).
    await storage.createTree(CREATED_MEANWHILE);
    const lockById = jest.fn((_manager: EntityManager, id: string) => Promise.resolve(id === KEPT ? ({ id } as User) : null));
    const users = {
      allIds: jest.fn().mockResolvedValueOnce([KEPT, DELETED_MEANWHILE]).mockResolvedValueOnce([KEPT, CREATED_MEANWHILE]),
      transaction: jest.fn((work: (manager: EntityManager) => Promise<unknown>) => work({} as EntityManager)),
      lockById,
    } as unknown as UsersRepository;

    const report = await new StorageReconciler(users, storage).reconcile();

    expect(lockById.mock.calls.map(([, id]) => id).sort()).toEqual([KEPT, DELETED_MEANWHILE]);
    expect(report.created).toEqual([KEPT]);
    expect(await storage.hasCompleteTree(KEPT)).toBe(true);
    // Deleted by another instance: its tree, archived there, is not made again here.
    expect(existsSync(storage.userDir(DELETED_MEANWHILE))).toBe(false);
    expect(report.orphans).toEqual([]);
  });

  it('still reports a tree whose user is gone on the second read too', async () => {
    await storage.createTree(CREATED_MEANWHILE);
    const users = {
      allIds: jest.fn().mockResolvedValue([]),
      transaction: jest.fn(),
      lockById: jest.fn(),
    } as unknown as UsersRepository;
    expect((await new StorageReconciler(users, storage).reconcile()).orphans).toEqual([CREATED_MEANWHILE]);
  });
});
