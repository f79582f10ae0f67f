import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config/load-config';
import { USER_REGISTRY_FILES, USER_SUBDIRECTORIES, UserStorageService } from './user-storage.service';

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

describe('UserStorageService.createTree', () => {
  let dataDir: string;
  let storage: UserStorageService;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-storage-'));
    storage = new UserStorageService(loadConfig({ DATA_DIR: dataDir }));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const expectCompleteTree = (userId: string) => {
    const dir = storage.userDir(userId);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const sub of USER_SUBDIRECTORIES) expect(statSync(path.join(dir, sub)).mode & 0o777).toBe(0o700);
    for (const file of USER_REGISTRY_FILES) {
      expect(readFileSync(path.join(dir, file), 'utf8')).toBe('{}');
      expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
    }
  };

  it('makes folders 0700 and registry files {} at 0600, and never overwrites a file', async () => {
    await storage.createTree(KNOWN);
    expectCompleteTree(KNOWN);

    const registry = path.join(storage.userDir(KNOWN), USER_REGISTRY_FILES[0]);
    writeFileSync(registry, '{"kept":true}');
    rmSync(path.join(storage.userDir(KNOWN), USER_REGISTRY_FILES[1]));
    await storage.createTree(KNOWN);
    expect(readFileSync(registry, 'utf8')).toBe('{"kept":true}');
    expect(readFileSync(path.join(storage.userDir(KNOWN), USER_REGISTRY_FILES[1]), 'utf8')).toBe('{}');
  });
});
