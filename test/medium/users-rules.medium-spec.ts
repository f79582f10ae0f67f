import { AppError } from '../../src/common/errors/app-error';
import { CredentialsService } from '../../src/users/credentials.service';
import { SuperuserActionsService } from '../../src/users/superuser-actions.service';
import { UsersService } from '../../src/users/users.service';
import { createMediumApp, MediumApp, waitForLockWaiter } from '../utils/create-medium-app';

const context = { ip: '192.0.2.1', userAgent: 'medium-test', requestId: 'medium' };
const PASSWORD = 'a-long-enough-password';
const self = () => ({ context, duplicate: new AppError('REGISTER_USER_ALREADY_EXISTS') });

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

  it('locks an account after the threshold of failures and a success clears the count', async () => {
    const credentials = m.app.get(CredentialsService);
    const ada = await register('ada');
    const threshold = m.config.lockoutThreshold;
    for (let i = 0; i < threshold - 1; i += 1) await credentials.recordFailure((await users.findById(ada.id))!);
    let current = (await users.findById(ada.id))!;
    expect(credentials.isLocked(current)).toBe(false);
    expect(current.failedLoginCount).toBe(threshold - 1);
    await credentials.recordSuccess(current, PASSWORD, { valid: true, needsRehash: false });
    expect((await users.findById(ada.id))!.failedLoginCount).toBe(0);
    for (let i = 0; i < threshold; i += 1) await credentials.recordFailure((await users.findById(ada.id))!);
    current = (await users.findById(ada.id))!;
    expect(credentials.isLocked(current)).toBe(true);
    // Failures while locked neither count nor extend the lock.
    const until = current.lockedUntil!.getTime();
    await credentials.recordFailure(current);
    expect((await users.findById(ada.id))!.lockedUntil!.getTime()).toBe(until);
  });
});
