import { AppError } from '../../src/common/errors/app-error';
import { ApprovalsService } from '../../src/users/approvals.service';
import { UsersService } from '../../src/users/users.service';
import { createMediumApp, MediumApp, waitForLockWaiter } from '../utils/create-medium-app';

const context = { ip: '192.0.2.1', userAgent: 'medium-test', requestId: 'medium' };
const PASSWORD = 'a-long-enough-password';

/** docs/API.md §10 Administration, bulk approve: the locking order on real PostgreSQL. */
describe('bulk decisions on real PostgreSQL (medium)', () => {
  let m: MediumApp;
  let users: UsersService;
  let actions: ApprovalsService;
  let root: { id: string; username: string };

  beforeEach(async () => {
    m = await createMediumApp();
    users = m.app.get(UsersService);
    actions = m.app.get(ApprovalsService);
    // The first user ever is the superuser; the others wait for approval.
    root = await register('root');
  });
  afterEach(() => m.close());

  const register = (name: string) =>
    users.create(
      { username: name, email: `${name}@example.org`, password: PASSWORD },
      { kind: 'self' },
      { context, duplicate: () => new AppError('REGISTER_USER_ALREADY_EXISTS') },
    );

  it('locks its targets one after another in id order, whatever order they are given in', async () => {
    const [low, mid, high] = [(await register('a')).id, (await register('b')).id, (await register('c')).id].sort();
    const holder = await m.client();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [mid]);
    const decision = actions.decideMany(root, [high, mid, low], true, null, context);
    await waitForLockWaiter(m.sql);
    // Waiting for the middle id: it holds the lower one and has not touched the higher one.
    const probe = await m.client();
    await expect(probe.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE NOWAIT', [low])).rejects.toMatchObject({
      code: '55P03',
    });
    await probe.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE NOWAIT', [high]);
    await holder.query('COMMIT');
    expect(await decision).toEqual([
      { id: high, outcome: 'approved' },
      { id: mid, outcome: 'approved' },
      { id: low, outcome: 'approved' },
    ]);
  });

  it('never deadlocks when bulk and single decisions on the same users race (10 rounds)', async () => {
    for (let round = 0; round < 10; round += 1) {
      const ids = [];
      for (let i = 0; i < 6; i += 1) ids.push((await register(`r${round}u${i}`)).id);
      const outcomes = await Promise.allSettled([
        actions.decideMany(root, ids, true, null, context),
        actions.decideMany(root, [...ids].reverse(), false, null, context),
        ...ids.map((id) => actions.decide(root, id, true, null, context)),
      ]);
      const failures = outcomes
        .filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
        .map((outcome) => (outcome.reason as { code?: string }).code);
      // The only refusal possible is the single route's own (already approved); never a deadlock (40P01).
      expect({ round, failures: failures.filter((code) => code !== 'USER_ALREADY_APPROVED') }).toEqual({ round, failures: [] });
      const rows = await m.sql<{ id: string; decisions: number }>(
        `SELECT u.id, (SELECT count(*)::int FROM audit_events e
                        WHERE e.target_id = u.id AND e.event_type IN ('admin_user_approved', 'admin_user_rejected')) AS decisions
           FROM users u WHERE u.id = ANY($1)`,
        [ids],
      );
      // A rejection may come first and an approval after it (approving works on rejected users), never more.
      for (const row of rows) expect(row.decisions).toBeGreaterThanOrEqual(1);
      for (const row of rows) expect(row.decisions).toBeLessThanOrEqual(2);
    }
  });
});
