import { AppError } from '../../src/common/errors/app-error';
import { CredentialsService } from '../../src/users/credentials.service';
import { LoginLockoutRepository } from '../../src/users/login-lockout.repository';
import { SuperuserActionsService } from '../../src/users/superuser-actions.service';
import { UsersService } from '../../src/users/users.service';
import { createMediumApp, MediumApp, waitForLockWaiter } from '../utils/create-medium-app';

const context = { ip: '192.0.2.1', userAgent: 'medium-test', requestId: 'medium' };
const PASSWORD = 'a-long-enough-password';
const self = () => ({ context, duplicate: () => new AppError('REGISTER_USER_ALREADY_EXISTS') });

describe('users rules on real PostgreSQL (medium)', () => {
  let m: MediumApp;
  let users: UsersService;
  let actions: SuperuserActionsService;

  beforeEach(async () => {
    m = await createMediumApp();
    users = m.app.get(UsersService);
    actions = m.app.get(SuperuserActionsService);
  });
  afterEach(() => m.close());

  const register = (name: string) =>
    users.create({ username: name, email: `${name}@example.org`, password: PASSWORD }, { kind: 'self' }, self());

  it('makes exactly one superuser of 30 concurrent first registrations', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => register(`first${i}`)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(30);
    const rows = await m.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active AND is_approved',
    );
    expect(rows[0].n).toBe(1);
  });

  it('leaves one active superuser when two superusers demote each other at the same moment (20 rounds)', async () => {
    for (let round = 0; round < 20; round += 1) {
      const a = await register(`a${round}`);
      const b = await register(`b${round}`);
      await m.sql(`UPDATE users SET is_superuser = false WHERE NOT id = ANY($1)`, [[a.id, b.id]]);
      await m.sql(
        `UPDATE users SET is_superuser = true, is_active = true, is_approved = true, approval_status = 'approved' WHERE id = ANY($1)`,
        [[a.id, b.id]],
      );
      const outcomes = await Promise.allSettled([
        actions.demote({ id: a.id, username: a.username }, b.id, null, context),
        actions.demote({ id: b.id, username: b.username }, a.id, null, context),
      ]);
      const refused = outcomes
        .filter((outcome) => outcome.status === 'rejected')
        .map((outcome) => (outcome.reason as AppError).code);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(['LAST_SUPERUSER', 'ADMIN_REQUIRED']).toContain(refused[0]);
      const [{ n }] = await m.sql<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active');
      expect(n).toBe(1);
      await m.sql('DELETE FROM users WHERE id = ANY($1)', [[a.id, b.id]]);
    }
  });

  it('admin creation waits for the superuser lock and re-checks the actor there', async () => {
    const root = await register('root');
    const demoter = await m.client();
    await demoter.query('BEGIN');
    await demoter.query('SELECT id FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE');
    await demoter.query('UPDATE users SET is_superuser = false WHERE id = $1', [root.id]);
    const creation = actions.create(
      { id: root.id, username: root.username },
      { username: 'newcomer', email: 'newcomer@example.org', password: PASSWORD },
      { isActive: true, isSuperuser: true },
      context,
    );
    await waitForLockWaiter(m.sql);
    await demoter.query('COMMIT');
    await expect(creation).rejects.toMatchObject({ code: 'ADMIN_REQUIRED', status: 403 });
    expect(await m.sql(`SELECT id FROM users WHERE username = 'newcomer'`)).toEqual([]);
  });

  it('keeps usernames and emails in one case-insensitive namespace', async () => {
    await register('ada');
    const taken = [
      { username: 'ADA', email: 'other1@example.org' },
      { username: 'ada@example.org', email: 'other2@example.org' },
      { username: 'other3', email: 'Ada@Example.org' },
      { username: 'other4', email: 'ada' },
    ];
    for (const input of taken) {
      await expect(users.create({ ...input, password: PASSWORD }, { kind: 'self' }, self())).rejects.toMatchObject({
        code: 'REGISTER_USER_ALREADY_EXISTS',
      });
    }
    const [{ n }] = await m.sql<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(n).toBe(1);
  });

  it('enforces one namespace in the database when a username and an email race for the same key (10 pairs)', async () => {
    await register('root');
    for (let pair = 0; pair < 10; pair += 1) {
      const address = `x${pair}@ex.org`;
      const outcomes = await Promise.allSettled([
        users.create({ username: address, email: `other${pair}@example.org`, password: PASSWORD }, { kind: 'self' }, self()),
        users.create({ username: `owner${pair}`, email: address.toUpperCase(), password: PASSWORD }, { kind: 'self' }, self()),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'REGISTER_USER_ALREADY_EXISTS' });
    }
    const [{ n }] = await m.sql<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username <> 'root'`);
    expect(n).toBe(10);
  });

  it('refuses a key the database already holds even when the early check is skipped', async () => {
    await register('ada');
    await expect(
      m.sql(
        `INSERT INTO users (email, username, hashed_password, username_key, email_key) VALUES ('new@example.org', 'x', 'h', 'ada@example.org', 'new@example.org')`,
      ),
    ).rejects.toThrow(/user_identifiers/);
  });
});

describe('lockout on real PostgreSQL (medium)', () => {
  let m: MediumApp;
  let users: UsersService;
  let credentials: CredentialsService;

  beforeEach(async () => {
    m = await createMediumApp({ LOCKOUT_THRESHOLD: '10', LOCKOUT_ACCOUNT_THRESHOLD: '25', LOCKOUT_MINUTES: '15' });
    users = m.app.get(UsersService);
    credentials = m.app.get(CredentialsService);
  });
  afterEach(() => m.close());

  const fresh = async () => (await users.findByLogin('ada'))!;
  const fail = async (ip: string, times: number) => {
    for (let i = 0; i < times; i += 1) await credentials.recordFailure(await fresh(), ip);
  };

  it('locks the account for one address only, and a success from that address clears its count', async () => {
    await users.create({ username: 'ada', email: 'ada@example.org', password: PASSWORD }, { kind: 'self' }, self());
    expect(await credentials.lockState(await fresh(), '198.51.100.1')).toEqual({ locked: false, failedHere: false });
    await fail('198.51.100.1', 9);
    expect(await credentials.lockState(await fresh(), '198.51.100.1')).toEqual({ locked: false, failedHere: true });
    expect(await credentials.lockState(await fresh(), '203.0.113.9')).toEqual({ locked: false, failedHere: false });
    await credentials.recordSuccess(await fresh(), '198.51.100.1', PASSWORD, { valid: true, needsRehash: false }, true);
    expect(await credentials.lockState(await fresh(), '198.51.100.1')).toEqual({ locked: false, failedHere: false });
    await fail('198.51.100.1', 9);
    expect(await credentials.isLocked(await fresh(), '198.51.100.1')).toBe(false);
    await fail('198.51.100.1', 1);
    expect(await credentials.isLocked(await fresh(), '198.51.100.1')).toBe(true);
    expect(await credentials.isLocked(await fresh(), '203.0.113.9')).toBe(false);
    // Failures while locked neither count nor extend the lock.
    const [{ locked_until: until }] = await m.sql<{ locked_until: Date }>('SELECT locked_until FROM login_failures');
    await fail('198.51.100.1', 5);
    const [{ locked_until: after }] = await m.sql<{ locked_until: Date }>('SELECT locked_until FROM login_failures');
    expect(after.getTime()).toBe(until.getTime());
  });

  it('counts an IPv6 client by its /64', async () => {
    await users.create({ username: 'ada', email: 'ada@example.org', password: PASSWORD }, { kind: 'self' }, self());
    for (let i = 0; i < 10; i += 1) await credentials.recordFailure(await fresh(), `2001:db8:0:1::${i + 1}`);
    expect(await credentials.isLocked(await fresh(), '2001:db8:0:1::ffff')).toBe(true);
    expect(await credentials.isLocked(await fresh(), '2001:db8:0:2::1')).toBe(false);
  });

  it('locks the account everywhere after the account threshold from many addresses, and clearLockout undoes both', async () => {
    await users.create({ username: 'ada', email: 'ada@example.org', password: PASSWORD }, { kind: 'self' }, self());
    for (let i = 0; i < 24; i += 1) await credentials.recordFailure(await fresh(), `192.0.2.${i + 1}`);
    expect(await credentials.isLocked(await fresh(), '203.0.113.9')).toBe(false);
    await credentials.recordFailure(await fresh(), '192.0.2.200');
    expect(await credentials.isLocked(await fresh(), '203.0.113.9')).toBe(true);
    await fail('192.0.2.1', 20);
    const { id } = await fresh();
    expect(await m.app.get(LoginLockoutRepository).clearLockout(id)).toBe(true);
    expect(await credentials.isLocked(await fresh(), '203.0.113.9')).toBe(false);
    expect(await credentials.isLocked(await fresh(), '192.0.2.1')).toBe(false);
    expect(await m.sql('SELECT 1 FROM login_failures')).toEqual([]);
  });
});
