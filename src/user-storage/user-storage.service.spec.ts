import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config/load-config';
import { UserStorageService } from './user-storage.service';

const KNOWN = '11111111-1111-4111-8111-111111111111';
const ORPHAN = '33333333-3333-4333-8333-333333333333';

describe('UserStorageService.reconcile', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-storage-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("completes known users' trees and reports other entries, but not another process's start-up probes", async () => {
    const storage = new UserStorageService(loadConfig({ DATA_DIR: dataDir }));
    const users = path.join(dataDir, 'users');
    mkdirSync(path.join(users, ORPHAN), { recursive: true });
    mkdirSync(path.join(users, 'not-a-user'));
    writeFileSync(path.join(users, '.write-probe-30778'), 'gatehouse start-up check\n');
    writeFileSync(path.join(users, '.ready-0a1b2c3d4e5f'), 'ok');
    const report = await storage.reconcile([KNOWN]);
    expect(report).toEqual({ created: [KNOWN], orphans: [ORPHAN, 'not-a-user'] });
    expect(await storage.hasCompleteTree(KNOWN)).toBe(true);
  });
});
