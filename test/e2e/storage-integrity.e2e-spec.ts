import { existsSync, promises as fs, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { StorageReconciler } from '../../src/users/storage-reconciler';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

/** docs/API.md §14 Per-user storage: deletion and archive together, modes; §16 Operations routes: readiness. */
describe('per-user storage integrity (e2e)', () => {
  let t: TestApp;
  let adminAuth: { Authorization: string };
  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createActiveUser(t, 'admin', true);
    adminAuth = { Authorization: `Bearer ${await loginToken(t, admin.username, admin.password)}` };
  });
  afterAll(() => t.close());

  const usersRoot = () => path.join(t.dataDir, 'users');
  const deletedRoot = () => path.join(t.dataDir, 'deleted');
  /** A regular file where a storage folder must be: unusable even for root, who ignores permission bits. */
  const spoil = async (folder: string) => {
    await fs.rm(folder, { recursive: true, force: true });
    writeFileSync(folder, 'not a directory');
  };
  const restore = (folder: string) => fs.rm(folder, { recursive: true, force: true });
  const archivesOf = async (id: string) =>
    existsSync(deletedRoot()) ? (await fs.readdir(deletedRoot())).filter((name) => name.startsWith(`${id}-`)) : [];

  describe('DELETE /admin/users/{id}', () => {
    it('keeps the user (503 STORAGE_UNAVAILABLE) when the tree cannot be archived, and deletes once it can', async () => {
      const victim = await createActiveUser(t, 'victim');
      await fs.writeFile(path.join(usersRoot(), victim.id, 'graphs', 'mine.json'), '{"keep":1}');
      await spoil(deletedRoot());
      try {
        const refused = await t.http.delete(`/api/admin/users/${victim.id}`).set(adminAuth).expect(503);
        expect(refused.body).toEqual({
          detail: 'User storage is unavailable',
          code: 'STORAGE_UNAVAILABLE',
          request_id: expect.any(String),
        });
        expect(refused.headers['x-request-id']).toBe(refused.body.request_id);
        expect(refused.headers['retry-after']).toBe('5');
        expect(await t.sql('SELECT 1 FROM users WHERE id = $1', [victim.id])).toHaveLength(1);
        expect(
          await t.sql(`SELECT 1 FROM audit_events WHERE event_type = 'admin_user_deletion' AND target_id = $1`, [victim.id]),
        ).toEqual([]);
        expect(await fs.readFile(path.join(usersRoot(), victim.id, 'graphs', 'mine.json'), 'utf8')).toBe('{"keep":1}');
        await loginToken(t, victim.username, victim.password);
      } finally {
        await restore(deletedRoot());
      }

      await t.http.delete(`/api/admin/users/${victim.id}`).set(adminAuth).expect(200);
      expect(await t.sql('SELECT 1 FROM users WHERE id = $1', [victim.id])).toEqual([]);
      expect(existsSync(path.join(usersRoot(), victim.id))).toBe(false);
      const archived = await archivesOf(victim.id);
      expect(archived).toHaveLength(1);
      expect(await fs.readFile(path.join(deletedRoot(), archived[0], 'graphs', 'mine.json'), 'utf8')).toBe('{"keep":1}');
      await t.http.delete(`/api/admin/users/${victim.id}`).set(adminAuth).expect(404);
    });

    it('moves the tree back when the deletion fails to commit', async () => {
      const victim = await createActiveUser(t, 'unlucky');
      await fs.writeFile(path.join(usersRoot(), victim.id, 'graphs', 'mine.json'), '{"keep":2}');
      // A deferred constraint trigger fails the transaction at COMMIT, after every statement (and the move) succeeded.
      await t.sql(`CREATE FUNCTION fail_deletion_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'commit refused by the test'; END $$`);
      await t.sql(`CREATE CONSTRAINT TRIGGER fail_deletion_commit AFTER INSERT ON audit_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.event_type = 'admin_user_deletion')
        EXECUTE FUNCTION fail_deletion_commit()`);
      try {
        const failed = await t.http.delete(`/api/admin/users/${victim.id}`).set(adminAuth);
        expect(failed.status).toBe(500);
      } finally {
        await t.sql('DROP TRIGGER fail_deletion_commit ON audit_events');
        await t.sql('DROP FUNCTION fail_deletion_commit()');
      }
      expect(await t.sql('SELECT 1 FROM users WHERE id = $1', [victim.id])).toHaveLength(1);
      expect(await fs.readFile(path.join(usersRoot(), victim.id, 'graphs', 'mine.json'), 'utf8')).toBe('{"keep":2}');
      expect(await archivesOf(victim.id)).toEqual([]);
      await loginToken(t, victim.username, victim.password);
    });
  });

  describe('GET /health/ready', () => {
    it.each(['users', 'deleted'])('answers 503 naming the storage check while DATA_DIR/%s cannot be written', async (folder) => {
      await t.http.get('/api/health/ready').expect(200);
      const target = path.join(t.dataDir, folder);
      await spoil(target);
      try {
        const response = await t.http.get('/api/health/ready').expect(503);
        expect(response.body).toMatchObject({
          status: 'error',
          error: { storage: { status: 'down', message: `DATA_DIR/${folder} is not writable` } },
          request_id: expect.any(String),
        });
        expect(JSON.stringify(response.body)).not.toContain(t.dataDir);
      } finally {
        await restore(target);
      }
      await t.http.get('/api/health/ready').expect(200);
    });

    it('creates missing storage folders (0700) and leaves no probe file behind', async () => {
      await restore(usersRoot());
      await restore(deletedRoot());
      await t.http.get('/api/health/ready').expect(200);
      for (const folder of [usersRoot(), deletedRoot()]) {
        const stat = await fs.stat(folder);
        expect({ folder, directory: stat.isDirectory(), mode: stat.mode & 0o777 }).toEqual({
          folder,
          directory: true,
          mode: 0o700,
        });
        expect(await fs.readdir(folder)).toEqual([]);
      }
    });
  });

  describe('modes', () => {
    it('creates trees with folders 0700 and files 0600, and archives them as they are', async () => {
      await restore(usersRoot());
      await restore(deletedRoot());
      const created = await register(t, newCredentials('private')).expect(201);
      const dir = path.join(usersRoot(), created.body.id);
      const modes = async (root: string) => {
        const found: Record<string, number> = {};
        for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
          const full = path.join(entry.parentPath, entry.name);
          found[path.relative(root, full)] = (await fs.stat(full)).mode & 0o777;
        }
        return found;
      };
      expect((await fs.stat(usersRoot())).mode & 0o777).toBe(0o700);
      expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
      const inside = await modes(dir);
      expect(Object.keys(inside)).toHaveLength(12);
      for (const [name, mode] of Object.entries(inside)) {
        expect({ name, mode: mode.toString(8) }).toEqual({ name, mode: name.endsWith('.json') ? '600' : '700' });
      }

      await t.sql(`UPDATE users SET is_approved = true, approval_status = 'approved', is_active = true WHERE id = $1`, [
        created.body.id,
      ]);
      await t.http.delete(`/api/admin/users/${created.body.id}`).set(adminAuth).expect(200);
      expect((await fs.stat(deletedRoot())).mode & 0o777).toBe(0o700);
      const [archived] = await archivesOf(created.body.id);
      expect((await fs.stat(path.join(deletedRoot(), archived))).mode & 0o777).toBe(0o700);
      expect(await modes(path.join(deletedRoot(), archived))).toEqual(inside);
    });

    it('never overwrites an existing file, nor loosens its mode', async () => {
      const credentials = newCredentials('kept');
      const created = await register(t, credentials).expect(201);
      const file = path.join(usersRoot(), created.body.id, 'node_registry.json');
      await fs.writeFile(file, '{"kept":true}');
      await fs.chmod(file, 0o640);
      await fs.rm(path.join(usersRoot(), created.body.id, 'graphs'), { recursive: true });
      await t.app.get(StorageReconciler).reconcile();
      expect(await fs.readFile(file, 'utf8')).toBe('{"kept":true}');
      expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
      expect((await fs.stat(path.join(usersRoot(), created.body.id, 'graphs'))).mode & 0o777).toBe(0o700);
    });
  });
});
