import * as argon2 from 'argon2';
import Database from 'better-sqlite3';
import { hash as bcryptHash } from 'bcryptjs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../utils/create-test-app';
import { CLI_JS, runCli } from '../utils/run-cli';

/**
 * `import-legacy` through the built CLI (`dist/cli/main.js`; npm test builds first) against SQLite
 * files made here in both schema generations of the original system, then logins over HTTP.
 */
const CURRENT_HASH = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

interface LegacyUserFixture {
  /** As stored in SQLite: 32 hex digits or hyphenated (any case). */
  storedId: string;
  id: string;
  username: string;
  email: string;
  password: string;
  hash: string;
  row: Record<string, unknown>;
}

/** The `user` table as fastapi-users + SQLAlchemy made it, with or without the approval columns. */
function writeLegacyDatabase(file: string, withApproval: boolean, users: LegacyUserFixture[]): void {
  const db = new Database(file);
  const approval = withApproval
    ? ', is_approved BOOLEAN NOT NULL, approval_note VARCHAR, institution VARCHAR, approved_by CHAR(32), approved_at DATETIME'
    : '';
  db.exec(`CREATE TABLE user (
    id CHAR(32) NOT NULL PRIMARY KEY, email VARCHAR(320) NOT NULL, username VARCHAR NOT NULL,
    hashed_password VARCHAR(1024) NOT NULL, is_active BOOLEAN NOT NULL, is_superuser BOOLEAN NOT NULL,
    is_verified BOOLEAN NOT NULL${approval}, created_at DATETIME)`);
  db.exec('CREATE UNIQUE INDEX ix_user_email ON user (email)');
  for (const user of users) {
    const row = { id: user.storedId, email: user.email, username: user.username, hashed_password: user.hash, ...user.row };
    const columns = Object.keys(row);
    db.prepare(`INSERT INTO user (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
  }
  db.close();
}

const hyphenate = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

describe('import-legacy (e2e)', () => {
  let t: TestApp;
  let work: string;
  let env: Record<string, string>;
  let newDb: string;
  let oldDb: string;
  let users: Record<string, LegacyUserFixture>;
  const importLegacy = (file: string, ...extra: string[]) => runCli(['import-legacy', file, ...extra], env);
  const login = (identifier: string, password: string) =>
    t.http.post('/api/login').send({ username_or_email: identifier, password });
  const storedHash = async (id: string) =>
    (await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = $1', [id]))[0]?.hashed_password;
  const importEvents = () =>
    t.sql<{ actor_id: string | null; user_agent: string; details: Record<string, unknown> }>(
      `SELECT actor_id, user_agent, details FROM audit_events WHERE event_type = 'legacy_import' ORDER BY id`,
    );

  beforeAll(async () => {
    if (!existsSync(CLI_JS)) throw new Error(`${CLI_JS} is missing: run npm run build`);
    work = mkdtempSync(path.join(tmpdir(), 'gatehouse-legacy-'));
    const argon2Owasp = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
    const argon2Passlib = { type: argon2.argon2id, memoryCost: 65536, timeCost: 3, parallelism: 4 };
    const argon2Weak = { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 };
    const make = async (
      hex: string,
      storedId: string,
      username: string,
      email: string,
      hashWith: (password: string) => Promise<string>,
      row: Record<string, unknown>,
    ): Promise<LegacyUserFixture> => {
      const password = `${username}-legacy-password`;
      return { storedId, id: hyphenate(hex), username, email, password, hash: await hashWith(password), row };
    };
    const admin = 'a0000000000040008000000000000001';
    users = {
      // New schema (approval columns).
      admin: await make(admin, admin, 'admin', 'Admin@Lab.example.org', (p) => argon2.hash(p, argon2Passlib), {
        is_active: 1,
        is_superuser: 1,
        is_verified: 1,
        is_approved: 1,
        institution: 'Lab',
        approved_at: '2024-01-02 03:04:05.123456',
        created_at: '2024-01-01 10:00:00.000001',
      }),
      dora: await make(
        'd0000000000040008000000000000004',
        'D0000000-0000-4000-8000-000000000004',
        'dora',
        'dora@example.org',
        (p) => argon2.hash(p, argon2Owasp),
        {
          is_active: 1,
          is_superuser: 0,
          is_verified: 1,
          is_approved: 1,
          approval_note: 'thesis',
          institution: 'Uni',
          approved_by: admin,
          approved_at: '2024-02-02 00:00:00',
          created_at: '2024-02-01 00:00:00',
        },
      ),
      eve: await make(
        'e0000000000040008000000000000005',
        'e0000000000040008000000000000005',
        'eve',
        'eve@example.org',
        (p) => argon2.hash(p, argon2Weak),
        {
          is_active: 1,
          is_superuser: 0,
          is_verified: 1,
          is_approved: 1,
          approved_by: hyphenate(admin),
          created_at: '2024-03-01 00:00:00',
        },
      ),
      bob: await make(
        'b0000000000040008000000000000002',
        'b0000000-0000-4000-8000-000000000002',
        'bob',
        'bob@example.org',
        (p) => bcryptHash(p, 4),
        {
          is_active: 0,
          is_superuser: 0,
          is_verified: 1,
          is_approved: 0,
          approval_note: 'please let me in',
          created_at: '2024-04-01 00:00:00',
        },
      ),
      // Same email as admin but another case, and younger: the conflict.
      twin: await make(
        'f0000000000040008000000000000006',
        'f0000000000040008000000000000006',
        'twin',
        'ADMIN@lab.example.org',
        (p) => bcryptHash(p, 4),
        {
          is_active: 1,
          is_superuser: 0,
          is_verified: 1,
          is_approved: 1,
          created_at: '2024-05-01 00:00:00',
        },
      ),
      // Old schema (no approval columns): approved.
      carol: await make(
        'c0000000000040008000000000000003',
        'c0000000000040008000000000000003',
        'carol',
        'carol@example.org',
        (p) => argon2.hash(p, { ...argon2Weak, type: argon2.argon2i }),
        {
          is_active: 1,
          is_superuser: 0,
          is_verified: 0,
          created_at: '2023-05-05 05:05:05',
        },
      ),
      frank: await make(
        'f1000000000040008000000000000007',
        'F1000000-0000-4000-8000-000000000007',
        'frank',
        'frank@example.org',
        async (p) => (await bcryptHash(p, 4)).replace(/^\$2b\$/, '$2a$'),
        {
          is_active: 1,
          is_superuser: 0,
          is_verified: 1,
          created_at: null,
        },
      ),
    };
    newDb = path.join(work, 'new', 'users.db');
    oldDb = path.join(work, 'old', 'users.db');
    mkdirSync(path.dirname(newDb));
    mkdirSync(path.dirname(oldDb));
    writeLegacyDatabase(newDb, true, [users.twin, users.admin, users.dora, users.eve, users.bob]);
    writeLegacyDatabase(oldDb, false, [users.carol, users.frank]);

    t = await createTestApp();
    env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, JWT_SECRET: TEST_JWT_SECRET, DATABASE_POOL_SIZE: '2' };
    // DATA_DIR is the old graph_data: admin's tree is there already, with data in it.
    const tree = path.join(t.dataDir, 'users', users.admin.id);
    mkdirSync(path.join(tree, 'nodes'), { recursive: true });
    writeFileSync(path.join(tree, 'nodes', 'n1.json'), '{"label":"kept"}');
    writeFileSync(path.join(tree, 'node_registry.json'), '{"n1":{"file":"nodes/n1.json"}}');
  });

  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports both schema generations with their ids, hashes, flags and dates; reports the duplicate email and goes on', async () => {
    const first = await importLegacy(newDb);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('(with approval columns)');
    expect(first.stdout).toMatch(/imported:\s+4\n/);
    expect(first.stdout).toMatch(/conflicts:\s+1 \(skipped\)\n/);
    expect(first.stdout).toContain(`${users.twin.id} twin <ADMIN@lab.example.org>: duplicate email: already used by 'admin'`);
    expect(first.stdout).toContain('1 reused, 3 created');

    const second = await importLegacy(oldDb);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('without approval columns');
    expect(second.stdout).toMatch(/imported:\s+2\n/);

    const rows = await t.sql<Record<string, unknown>>(
      `SELECT id, username, email, hashed_password, is_active, is_superuser, is_verified, is_approved, approval_status,
              approval_note, institution, approved_by, approved_at, created_at FROM users ORDER BY created_at`,
    );
    const byName = Object.fromEntries(rows.map((row) => [row.username, row]));
    expect(Object.keys(byName).sort()).toEqual(['admin', 'bob', 'carol', 'dora', 'eve', 'frank']);
    for (const name of Object.keys(byName)) {
      expect(byName[name]).toMatchObject({
        id: users[name].id,
        email: users[name].email,
        hashed_password: users[name].hash,
        is_verified: true,
      });
    }
    expect(byName.admin).toMatchObject({
      is_superuser: true,
      is_active: true,
      is_approved: true,
      approval_status: 'approved',
      institution: 'Lab',
    });
    expect(byName.dora).toMatchObject({ approval_status: 'approved', approved_by: users.admin.id, approval_note: 'thesis' });
    expect(byName.eve).toMatchObject({ approved_by: users.admin.id, approved_at: null });
    expect(byName.bob).toMatchObject({
      is_active: false,
      is_approved: false,
      approval_status: 'pending',
      approved_by: null,
      approval_note: 'please let me in',
    });
    expect(byName.carol).toMatchObject({ is_approved: true, approval_status: 'approved', is_active: true });
    expect(byName.frank).toMatchObject({ is_approved: true, approval_status: 'approved' });
    // Microseconds survive; the naive SQLite times are UTC.
    const [dates] = await t.sql<{ created: string; approved: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created,
              to_char(approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS approved FROM users WHERE username = 'admin'`,
    );
    expect(dates).toEqual({ created: '2024-01-01 10:00:00.000001', approved: '2024-01-02 03:04:05.123456' });
    // No created_at in the old row: the time of the import.
    expect(Date.now() - new Date(byName.frank.created_at as Date).getTime()).toBeLessThan(5 * 60_000);

    const events = await importEvents();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actor_id: null,
      user_agent: 'gatehouse-cli',
      details: { source: 'cli', file: newDb, schema: 'approval', rows: 5, imported: 4, skipped_existing: 0, conflict_count: 1 },
    });
    expect(events[0].details.conflicts).toEqual([
      expect.objectContaining({ id: users.twin.id, email: 'ADMIN@lab.example.org', conflicting_id: users.admin.id }),
    ]);
    expect(events[1].details).toMatchObject({ schema: 'original', rows: 2, imported: 2, conflict_count: 0 });
    expect(JSON.stringify(events)).not.toMatch(/\$argon2|\$2[ab]\$/);
  });

  it('every legacy password logs in, and is re-hashed unless it is already as strong as the current parameters', async () => {
    for (const name of ['dora', 'eve', 'carol', 'frank']) {
      const response = await login(name === 'frank' ? users.frank.email.toUpperCase() : name, users[name].password);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      expect(response.body.user.id).toBe(users[name].id);
    }
    // bcrypt ($2a$ and $2b$), argon2i and a weaker argon2id now hold the current argon2id hash …
    for (const name of ['eve', 'carol', 'frank']) expect(await storedHash(users[name].id)).toMatch(CURRENT_HASH);
    // … a hash with the current parameters is kept as it is, and passlib's stronger default is not weakened.
    expect(await storedHash(users.dora.id)).toBe(users.dora.hash);
    const admin = await login('admin@lab.example.org', users.admin.password);
    expect(admin.status).toBe(200);
    expect(admin.body.user).toMatchObject({ is_superuser: true });
    expect(await storedHash(users.admin.id)).toBe(users.admin.hash);

    // bob's bcrypt password is right (and re-hashed), but bob is waiting for approval, as in the old system.
    const bob = await login('bob', users.bob.password);
    expect(bob.status).toBe(403);
    expect(bob.body.detail).toBe('Account pending approval. Please wait for admin approval.');
    expect(await storedHash(users.bob.id)).toMatch(CURRENT_HASH);
    expect((await login('eve', 'not-the-password')).status).toBe(401);
  });

  it('running the import again changes nothing and reports the users as already present', async () => {
    const before = await t.sql('SELECT * FROM users ORDER BY id');
    const [again, againOld] = await Promise.all([importLegacy(newDb), importLegacy(oldDb)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported:\s+0\n/);
    expect(again.stdout).toMatch(/already present:\s+4 /);
    expect(again.stdout).toMatch(/conflicts:\s+1 /);
    expect(againOld.stdout).toMatch(/already present:\s+2 /);
    expect(await t.sql('SELECT * FROM users ORDER BY id')).toEqual(before);
    const events = await importEvents();
    expect(events).toHaveLength(4);
    expect(
      events
        .slice(2)
        .map((event) => event.details)
        .sort((a, b) => String(a.schema).localeCompare(String(b.schema))),
    ).toEqual([
      expect.objectContaining({ schema: 'approval', imported: 0, skipped_existing: 4, conflict_count: 1 }),
      expect.objectContaining({ schema: 'original', imported: 0, skipped_existing: 2, conflict_count: 0 }),
    ]);
  });

  it('reuses the existing storage tree of a legacy user without touching its files, and completes it', () => {
    const tree = path.join(t.dataDir, 'users', users.admin.id);
    expect(readFileSync(path.join(tree, 'nodes', 'n1.json'), 'utf8')).toBe('{"label":"kept"}');
    expect(readFileSync(path.join(tree, 'node_registry.json'), 'utf8')).toBe('{"n1":{"file":"nodes/n1.json"}}');
    expect(readFileSync(path.join(tree, 'relation_registry.json'), 'utf8')).toBe('{}');
    expect(existsSync(path.join(tree, 'schemas'))).toBe(true);
    for (const name of ['bob', 'carol', 'dora', 'eve', 'frank']) {
      expect(existsSync(path.join(t.dataDir, 'users', users[name].id, 'node_registry.json'))).toBe(true);
    }
    expect(existsSync(path.join(t.dataDir, 'users', users.twin.id))).toBe(false);
  });

  it('a dry run writes nothing; a missing file, a non-SQLite file or a database without a user table stop with exit code 1', async () => {
    const notSqlite = path.join(work, 'not-sqlite.db');
    writeFileSync(notSqlite, 'this is not a database, just text that is long enough to have a header page......');
    const noTable = path.join(work, 'no-table.db');
    const db = new Database(noTable);
    db.exec('CREATE TABLE something_else (id INTEGER)');
    db.close();
    const freshDb = path.join(work, 'fresh', 'users.db');
    mkdirSync(path.dirname(freshDb));
    writeLegacyDatabase(freshDb, true, [
      { ...users.twin, storedId: 'a1000000000040008000000000000009', username: 'newcomer', email: 'newcomer@example.org' },
    ]);

    const eventsBefore = (await importEvents()).length;
    const [missing, garbage, tableless, dryRun] = await Promise.all([
      importLegacy(path.join(work, 'nope.db')),
      importLegacy(notSqlite),
      importLegacy(noTable),
      importLegacy(freshDb, '--dry-run'),
    ]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('does not exist');
    expect(garbage).toMatchObject({ code: 1, stdout: '' });
    expect(garbage.stderr).toContain('is not a readable SQLite database');
    expect(tableless).toMatchObject({ code: 1, stdout: '' });
    expect(tableless.stderr).toContain('has no `user` table');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/imported:\s+1\n/);
    expect(dryRun.stdout).toContain('Dry run: nothing was written.');
    expect(await t.sql(`SELECT 1 FROM users WHERE username = 'newcomer'`)).toHaveLength(0);
    expect(await importEvents()).toHaveLength(eventsBefore);
  });
});

describe('import-legacy applies the identity rules (e2e)', () => {
  it('reports a look-alike of an imported username as a conflict and an invisible character as invalid', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'gatehouse-legacy-identity-'));
    const t = await createTestApp();
    try {
      const hash = await bcryptHash('legacy-password-1', 4);
      const base = { is_active: 1, is_superuser: 0, is_verified: 1 };
      const file = path.join(work, 'users.db');
      const fixture = (hex: string, username: string, email: string, created: string): LegacyUserFixture => ({
        storedId: hex,
        id: hyphenate(hex),
        username,
        email,
        password: 'legacy-password-1',
        hash,
        row: { ...base, created_at: created },
      });
      writeLegacyDatabase(file, false, [
        fixture('a1000000000040008000000000000001', 'rootx', 'rootx@example.org', '2024-01-01 00:00:00'),
        fixture('a2000000000040008000000000000002', 'ｒｏｏｔｘ', 'fullwidth@example.org', '2024-02-01 00:00:00'),
        fixture('a3000000000040008000000000000003', 'eve\u200b', 'eve@example.org', '2024-03-01 00:00:00'),
        fixture('a4000000000040008000000000000004', 'ingrid', 'i@bücher.de', '2024-04-01 00:00:00'),
        fixture('a5000000000040008000000000000005', 'ingrid2', 'i@xn--bcher-kva.de', '2024-05-01 00:00:00'),
      ]);
      const env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, JWT_SECRET: TEST_JWT_SECRET, DATABASE_POOL_SIZE: '2' };
      const result = await runCli(['import-legacy', file], env);
      expect(result.stdout).toMatch(/imported:\s+2\n/);
      expect(result.stdout).toMatch(/conflicts:\s+2 \(skipped\)\n/);
      expect(result.stdout).toMatch(/invalid rows:\s+1 \(skipped\)\n/);
      const rows = await t.sql<{ username: string }>('SELECT username FROM users ORDER BY created_at');
      expect(rows.map((row) => row.username)).toEqual(['rootx', 'ingrid']);
    } finally {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
