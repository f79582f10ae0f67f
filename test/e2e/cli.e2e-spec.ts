import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../utils/create-test-app';
import { CLI_JS, runCli } from '../utils/run-cli';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

/** The ops CLI as an operator runs it: the built `dist/cli/main.js` (npm test builds first). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ops CLI (e2e)', () => {
  let t: TestApp;
  let env: Record<string, string>;
  const cli = (args: string[], input?: string) => runCli(args, env, input);
  const userRow = async (username: string) =>
    (
      await t.sql<{
        id: string;
        is_superuser: boolean;
        is_active: boolean;
        is_approved: boolean;
        approval_status: string;
        approved_by: string | null;
        failed_login_count: number;
        locked_until: Date | null;
      }>('SELECT * FROM users WHERE username = $1', [username])
    )[0];
  const whoami = (token: string) => t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    if (!existsSync(CLI_JS)) throw new Error(`${CLI_JS} is missing: run npm run build`);
    t = await createTestApp();
    env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, JWT_SECRET: TEST_JWT_SECRET, DATABASE_POOL_SIZE: '2' };
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers wrong usage with exit code 2 and the usage on stderr, and --help with exit code 0', async () => {
    const wrong = await Promise.all([
      cli([]),
      cli(['frobnicate']),
      cli(['create-superuser', '--username', 'x']),
      cli(['create-superuser', '--username', 'x', '--email', 'x@example.org', '--bogus']),
      cli(['create-superuser', '--username', 'has space', '--email', 'not-an-email']),
      cli(['reset-password']),
      cli(['list-users', 'extra']),
      cli(['import-legacy']),
    ]);
    for (const result of wrong) {
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^error: .+\n/);
      expect(result.stderr).toContain('Usage: npm run cli --');
    }
    expect(wrong[1].stderr).toContain("unknown command 'frobnicate'");
    expect(wrong[2].stderr).toContain('--email is required');
    expect(wrong[3].stderr).toContain("'--bogus'");
    expect(wrong[4].stderr).toMatch(/username must not contain spaces.*email must be an email/);

    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['create-superuser', 'reset-password', 'list-users', 'reconcile-storage', 'import-legacy']) {
      expect(help.stdout).toContain(command);
    }
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
  ])('refuses a bad configuration %j: exit code 1 and one line naming the variable', async (bad, variable) => {
    const result = await runCli(['list-users'], { ...env, ...bad });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable}: `));
  });

  it('create-superuser on an empty database creates an approved, active superuser that can log in', async () => {
    const result = await cli(['create-superuser', '--username', 'root', '--email', 'root@example.org'], 'root-password-1\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Superuser 'root' <root@example\.org> created \(id [0-9a-f-]{36}\)/);

    const token = await loginToken(t, 'root', 'root-password-1');
    expect((await whoami(token)).body).toMatchObject({ username: 'root', is_superuser: true, is_active: true });
    expect(await userRow('root')).toMatchObject({ is_approved: true, approval_status: 'approved', approved_by: null });
    expect(existsSync(path.join(t.dataDir, 'users', (await userRow('root')).id, 'node_registry.json'))).toBe(true);
  });

  it('create-superuser on a populated database adds another superuser; a bad password or a taken name creates nothing', async () => {
    const regular = await createActiveUser(t, 'regular');
    const [created, weak, taken] = await Promise.all([
      cli(['create-superuser', '--username', 'second', '--email', 'second@example.org'], 'second-password-1\n'),
      cli(['create-superuser', '--username', 'weak', '--email', 'weak@example.org'], 'short\n'),
      cli(
        ['create-superuser', '--username', regular.username.toUpperCase(), '--email', 'other@example.org'],
        'other-password-1\n',
      ),
    ]);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const token = await loginToken(t, 'second@example.org', 'second-password-1');
    expect((await whoami(token)).body).toMatchObject({ username: 'second', is_superuser: true });
    const [audit] = await t.sql<{ actor_id: string | null; user_agent: string; details: Record<string, unknown> }>(
      `SELECT actor_id, user_agent, details FROM audit_events WHERE event_type = 'admin_user_creation' AND target_username = 'second'`,
    );
    expect(audit).toMatchObject({ actor_id: null, user_agent: 'gatehouse-cli', details: { source: 'cli', is_superuser: true } });

    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Password should be at least 8 characters');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('--promote-existing');
    expect(await userRow('weak')).toBeUndefined();
    expect((await t.sql(`SELECT 1 FROM users WHERE lower(email) = 'other@example.org'`)).length).toBe(0);
  });

  it('create-superuser --promote-existing turns a pending, locked-out account into an active, approved superuser', async () => {
    const pending = newCredentials('pending');
    expect((await register(t, pending)).status).toBe(201);
    await t.sql(`UPDATE users SET failed_login_count = 10, locked_until = now() + interval '1 hour' WHERE username = $1`, [
      pending.username,
    ]);

    const result = await cli([
      'create-superuser',
      '--username',
      pending.username,
      '--email',
      pending.email,
      '--promote-existing',
    ]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('is now an active, approved superuser; its login lockout was cleared');
    expect(await userRow(pending.username)).toMatchObject({
      is_superuser: true,
      is_active: true,
      is_approved: true,
      approval_status: 'approved',
      failed_login_count: 0,
      locked_until: null,
    });
    const token = await loginToken(t, pending.username, pending.password);
    expect((await whoami(token)).body).toMatchObject({ is_superuser: true });
    const events = await t.sql<{ details: { changes: Record<string, unknown>; lockout_cleared: boolean } }>(
      `SELECT details FROM audit_events WHERE event_type = 'admin_user_promotion' AND target_username = $1`,
      [pending.username],
    );
    expect(events).toHaveLength(1);
    expect(events[0].details.lockout_cleared).toBe(true);
    expect(Object.keys(events[0].details.changes).sort()).toEqual([
      'approval_status',
      'is_active',
      'is_approved',
      'is_superuser',
    ]);
  });

  it('reset-password reads the new password from stdin, ends every session and clears a lockout', async () => {
    const user = await createActiveUser(t, 'forgetful');
    const [first, second] = [await loginToken(t, user.username, user.password), await loginToken(t, user.email, user.password)];
    await t.sql(`UPDATE users SET failed_login_count = 3 WHERE id = $1`, [user.id]);

    const [reset, unknown, weak] = await Promise.all([
      cli(['reset-password', user.email.toUpperCase()], 'brand-new-password-1\n'),
      cli(['reset-password', 'nobody-at-all'], 'brand-new-password-1\n'),
      cli(['reset-password', user.username], `${user.username}\n`),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no user has the username or email 'nobody-at-all'");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Password should not be the same as the username');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`Password of '${user.username}' (${user.id}) changed; 2 session(s) ended.`);

    expect((await whoami(first)).status).toBe(401);
    expect((await whoami(second)).status).toBe(401);
    const old = await t.http.post('/api/login').send({ username_or_email: user.username, password: user.password });
    expect(old.status).toBe(401);
    const fresh = await loginToken(t, user.username, 'brand-new-password-1');
    expect((await whoami(fresh)).status).toBe(200);
    const [hash] = await t.sql<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = $1', [user.id]);
    expect(hash.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const events = await t.sql<{ event_type: string; details: Record<string, unknown> }>(
      `SELECT event_type, details FROM audit_events WHERE target_id = $1 AND event_type IN ('password_reset', 'session_revoked') ORDER BY id`,
      [user.id],
    );
    expect(events).toEqual([
      { event_type: 'password_reset', details: { source: 'cli', sessions_ended: 2, lockout_cleared: true } },
      { event_type: 'session_revoked', details: { reason: 'password_reset', sessions: 2 } },
    ]);
  });

  it('list-users prints every user as a table, or as JSON with --json; promoting a superuser changes nothing', async () => {
    const [table, json, promoted] = await Promise.all([
      cli(['list-users']),
      cli(['list-users', '--json']),
      cli(['create-superuser', '--username', 'root', '--email', 'root@example.org', '--promote-existing']),
    ]);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain("'root' (");
    expect(promoted.stdout).toContain('is already an active, approved superuser: nothing changed.');
    expect(table.code).toBe(0);
    const [count] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM users');
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+USERNAME\s+EMAIL\s+STATUS\s+SUPERUSER\s+ACTIVE\s+CREATED_AT$/);
    expect(lines).toHaveLength(count.n + 2);
    expect(lines[1]).toMatch(/^[0-9a-f-]{36}\s+root\s+root@example\.org\s+approved\s+yes\s+yes\s+\d{4}-\d\d-\d\dT/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${count.n} user\\(s\\): `));

    expect(json.code).toBe(0);
    const users = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(users).toHaveLength(count.n);
    expect(users[0]).toMatchObject({
      username: 'root',
      email: 'root@example.org',
      status: 'approved',
      is_superuser: true,
      is_active: true,
    });
    for (const user of users) {
      expect(user.id).toMatch(UUID);
      expect(Object.keys(user)).not.toContain('hashed_password');
    }
  });

  it('reconcile-storage completes missing trees and lists trees without a user, removing nothing', async () => {
    const victim = await createActiveUser(t, 'treeless');
    rmSync(path.join(t.dataDir, 'users', victim.id), { recursive: true, force: true });
    const orphan = '0badc0de-0000-4000-8000-000000000000';
    mkdirSync(path.join(t.dataDir, 'users', orphan, 'nodes'), { recursive: true });

    const result = await cli(['reconcile-storage']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Storage root: ${path.join(t.dataDir, 'users')}`);
    expect(result.stdout).toMatch(/trees completed: 1\n/);
    expect(result.stdout).toContain(`completed  ${victim.id}`);
    expect(result.stdout).toContain(`orphan     ${orphan}`);
    expect(existsSync(path.join(t.dataDir, 'users', victim.id, 'function_registry.json'))).toBe(true);
    expect(existsSync(path.join(t.dataDir, 'users', orphan, 'nodes'))).toBe(true);
  });
});
