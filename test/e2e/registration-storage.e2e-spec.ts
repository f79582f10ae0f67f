import { promises as fs, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { StorageReconciler } from '../../src/users/storage-reconciler';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { newCredentials, register } from '../utils/users';

const SUBDIRECTORIES = ['attributeNodes', 'functions', 'graphs', 'nodes', 'relationNodes', 'schemas', 'transitions'];
const REGISTRIES = [
  'attribute_registry.json',
  'function_registry.json',
  'node_registry.json',
  'relation_registry.json',
  'transition_registry.json',
];

describe('first user and per-user storage (e2e)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('makes exactly one superuser out of 50 concurrent registrations on an empty database', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => register(t, newCredentials('race'))));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const superusers = responses.filter((r) => r.body.is_superuser);
    expect(superusers).toHaveLength(1);
    expect(superusers[0].body).toMatchObject({
      is_superuser: true,
      is_approved: true,
      is_active: true,
      approval_status: 'approved',
    });
    const rows = await t.sql<{ superusers: string; pending: string }>(
      `SELECT count(*) FILTER (WHERE is_superuser) AS superusers, count(*) FILTER (WHERE approval_status = 'pending' AND NOT is_active) AS pending FROM users`,
    );
    expect(rows[0]).toEqual({ superusers: '1', pending: '49' });
    const promotions = await t.sql(`SELECT target_id FROM audit_events WHERE event_type = 'first_user_superuser_promotion'`);
    expect(promotions).toEqual([{ target_id: superusers[0].body.id }]);
  });

  it('creates the storage tree, with exactly the layout of docs/API.md §14 Per-user storage, before answering', async () => {
    const response = await register(t, newCredentials()).expect(201);
    const dir = path.join(t.dataDir, 'users', response.body.id);
    const entries = (await fs.readdir(dir, { withFileTypes: true })).map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`).sort();
    expect(entries).toEqual([...SUBDIRECTORIES.map((d) => `${d}/`), ...REGISTRIES].sort());
    for (const registry of REGISTRIES) expect(await fs.readFile(path.join(dir, registry), 'utf8')).toBe('{}');
    for (const sub of SUBDIRECTORIES) expect(await fs.readdir(path.join(dir, sub))).toEqual([]);
  });

  it('creates no user (503, nothing half-done) when the tree cannot be made', async () => {
    await fs.rm(path.join(t.dataDir, 'users'), { recursive: true, force: true });
    writeFileSync(path.join(t.dataDir, 'users'), 'not a directory');
    const credentials = newCredentials();
    const response = await register(t, credentials).expect(503);
    expect(response.body).toMatchObject({ detail: 'User storage is unavailable', request_id: expect.any(String) });
    expect(response.headers['x-request-id']).toBe(response.body.request_id);
    expect(await t.sql('SELECT 1 FROM users')).toHaveLength(0);
    expect(await t.sql('SELECT 1 FROM audit_events')).toHaveLength(0);
    // Once storage is back, the same registration succeeds (and is the first user).
    await fs.rm(path.join(t.dataDir, 'users'));
    const retry = await register(t, credentials).expect(201);
    expect(retry.body.is_superuser).toBe(true);
  });

  it('completes missing trees at start-up and reports trees without a user, never removing them', async () => {
    const created = await register(t, newCredentials()).expect(201);
    const dir = path.join(t.dataDir, 'users', created.body.id);
    await fs.rm(path.join(dir, 'graphs'), { recursive: true });
    await fs.writeFile(path.join(dir, 'node_registry.json'), '{"kept": true}');
    const orphan = path.join(t.dataDir, 'users', '11111111-2222-4333-8444-555555555555');
    await fs.mkdir(orphan, { recursive: true });
    const report = await t.app.get(StorageReconciler).reconcile();
    expect(report).toMatchObject({ created: [created.body.id], orphans: ['11111111-2222-4333-8444-555555555555'] });
    expect((await fs.stat(path.join(dir, 'graphs'))).isDirectory()).toBe(true);
    expect(await fs.readFile(path.join(dir, 'node_registry.json'), 'utf8')).toBe('{"kept": true}');
    expect((await fs.stat(orphan)).isDirectory()).toBe(true);
  });
});
