import { Clock } from '../common/clock/clock';
import type { User } from './user.entity';
import { ApprovalsService } from './approvals.service';
import { SuperuserActionsService } from './superuser-actions.service';

const ADMIN = { id: '11111111-1111-4111-8111-111111111111', username: 'root' };
const OTHER_ADMIN = '22222222-2222-4222-8222-222222222222';
const TARGET = '33333333-3333-4333-8333-333333333333';
const context = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'r1' };
const manager = { tx: 1 };

function user(overrides: Partial<User> = {}): User {
  return {
    id: TARGET,
    username: 'grace',
    email: 'grace@example.org',
    isActive: true,
    isSuperuser: false,
    isApproved: true,
    approvalStatus: 'approved',
    failedLoginCount: 0,
    lockedUntil: null,
    ...overrides,
  } as User;
}

function build(options: { superusers?: string[]; target?: User | null } = {}) {
  let current = options.target === undefined ? user() : options.target;
  const repository = {
    transaction: jest.fn(async (work: (m: unknown) => unknown) => work(manager)),
    lockActiveSuperusers: jest.fn(async () => new Set(options.superusers ?? [ADMIN.id, OTHER_ADMIN])),
    lockById: jest.fn(async () => current),
    findById: jest.fn(async (_id: string): Promise<User | null> => current),
    update: jest.fn(async (_m: unknown, _id: string, patch: Partial<User>) => {
      current = { ...current, ...patch } as User;
    }),
    delete: jest.fn(async () => undefined),
    lockByIds: jest.fn(async (_m: unknown, _ids: string[]): Promise<User[]> => []),
  };
  const accounts = {
    identifierTaken: jest.fn(async () => false),
    create: jest.fn(async (_input: unknown, _origin: unknown, options: { transaction: (w: unknown) => Promise<unknown> }) =>
      options.transaction(async () => user({ id: 'new' })),
    ),
  };
  const sessions = { revokeAllForUser: jest.fn(async () => 2), revokeLiveForUser: jest.fn(async () => 3), forgetUser: jest.fn() };
  const tokens = { voidAll: jest.fn(async () => undefined) };
  const mail = {
    approved: jest.fn(async (_m: unknown, _user: User) => undefined),
    rejected: jest.fn(async (_m: unknown, _user: User, _reason: string | null) => undefined),
  };
  const audit = { record: jest.fn(async (_manager: unknown, _event: unknown) => undefined) };
  const storage = {
    archivePathFor: jest.fn(() => '/data/deleted/x'),
    archiveTree: jest.fn(async (): Promise<string | null> => '/data/deleted/x'),
    restoreArchivedTree: jest.fn(async () => undefined),
  };
  const lockout = { clearLockout: jest.fn(async () => false) };
  const sut = new SuperuserActionsService(
    repository as never,
    accounts as never,
    sessions as never,
    audit as never,
    storage as never,
    new Clock(),
    tokens as never,
    lockout as never,
  );
  const approvals = new ApprovalsService(repository as never, sut, audit as never, new Clock(), mail as never);
  return { sut, approvals, repository, accounts, sessions, audit, storage, tokens, mail };
}

describe('SuperuserActionsService', () => {
  it('creates users under the superuser lock and re-checks the actor there', async () => {
    const { sut, repository, accounts } = build();
    await sut.create(
      ADMIN,
      { username: 'n', email: 'n@example.org', password: 'long-enough' },
      { isActive: true, isSuperuser: false },
      context,
    );
    expect(repository.lockActiveSuperusers).toHaveBeenCalledWith(manager);
    expect(accounts.create.mock.calls[0][1]).toEqual({ kind: 'admin', actor: ADMIN, isActive: true, isSuperuser: false });
  });

  it('refuses to create when the actor lost its power while waiting for the lock', async () => {
    const { sut } = build({ superusers: [OTHER_ADMIN] });
    await expect(
      sut.create(
        ADMIN,
        { username: 'n', email: 'n@example.org', password: 'long-enough' },
        { isActive: true, isSuperuser: false },
        context,
      ),
    ).rejects.toMatchObject({ code: 'ADMIN_REQUIRED', status: 403 });
  });

  it('refuses to demote the last active superuser (409) and writes nothing', async () => {
    const { sut, repository, audit } = build({ superusers: [TARGET], target: user({ isSuperuser: true }) });
    await expect(sut.demote(ADMIN, TARGET, null, context)).rejects.toMatchObject({ code: 'LAST_SUPERUSER', status: 409 });
    expect(repository.update).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('answers LAST_SUPERUSER before checking the actor (the specific answer comes first)', async () => {
    const { sut } = build({ superusers: [TARGET], target: user({ isSuperuser: true }) });
    await expect(sut.update(ADMIN, TARGET, { is_active: false }, context)).rejects.toMatchObject({ code: 'LAST_SUPERUSER' });
  });

  it('deactivation ends the sessions and records both events in the same transaction', async () => {
    const { sut, sessions, audit, tokens } = build();
    const updated = await sut.update(ADMIN, TARGET, { is_active: false }, context);
    expect(updated.isActive).toBe(false);
    expect(sessions.revokeAllForUser).toHaveBeenCalledWith(manager, TARGET, 'deactivated');
    expect(tokens.voidAll).toHaveBeenCalledWith(manager, TARGET);
    // After the commit, this process forgets the user's cached sessions before it answers.
    expect(sessions.forgetUser).toHaveBeenCalledWith(TARGET);
    expect(audit.record.mock.calls.map((call: unknown[]) => (call[1] as { eventType: string }).eventType)).toEqual([
      'session_revoked',
      'admin_user_update',
    ]);
    expect(audit.record.mock.calls[1][1]).toMatchObject({ details: { changes: { is_active: { old: true, new: false } } } });
  });

  it('refuses a rename onto a taken username or email', async () => {
    const { sut, accounts, repository } = build();
    accounts.identifierTaken.mockResolvedValue(true);
    await expect(sut.update(ADMIN, TARGET, { username: 'taken' }, context)).rejects.toMatchObject({
      code: 'USER_ALREADY_EXISTS',
    });
    expect(repository.update).not.toHaveBeenCalled();
  });

  it('refuses self-demotion, self-deactivation and self-deletion', async () => {
    const self = user({ id: ADMIN.id, isSuperuser: true });
    await expect(build({ target: self }).sut.demote(ADMIN, ADMIN.id, null, context)).rejects.toMatchObject({
      code: 'CANNOT_DEMOTE_SELF',
    });
    await expect(build({ target: self }).sut.update(ADMIN, ADMIN.id, { is_active: false }, context)).rejects.toMatchObject({
      code: 'CANNOT_DEACTIVATE_SELF',
    });
    await expect(build({ target: self }).sut.remove(ADMIN, ADMIN.id, context)).rejects.toMatchObject({
      code: 'CANNOT_DELETE_SELF',
    });
  });

  it('promotes with the changed fields in the trail, and refuses a second promotion', async () => {
    const { sut, audit } = build();
    const { user: promoted } = await sut.promote(ADMIN, TARGET, { reason: 'runs onboarding' }, context);
    expect(promoted.isSuperuser).toBe(true);
    expect(audit.record.mock.calls[0][1]).toMatchObject({
      eventType: 'admin_user_promotion',
      details: { reason: 'runs onboarding', changes: { is_superuser: { old: false, new: true } } },
    });
    await expect(sut.promote(ADMIN, TARGET, { reason: null }, context)).rejects.toMatchObject({ code: 'USER_ALREADY_SUPERUSER' });
  });

  it('recovery (CLI, no actor) activates, approves and unlocks the account', async () => {
    const locked = user({
      isActive: false,
      isApproved: false,
      approvalStatus: 'pending',
      failedLoginCount: 10,
      lockedUntil: new Date(),
    });
    const { sut, repository, audit } = build({ target: locked, superusers: [] });
    const result = await sut.promote(null, TARGET, { reason: 'recovery', recover: true, source: 'cli' }, context);
    expect(result).toMatchObject({ changed: true, lockoutCleared: true });
    expect(repository.update.mock.calls[0][2]).toMatchObject({
      isSuperuser: true,
      isActive: true,
      isApproved: true,
      approvalStatus: 'approved',
      failedLoginCount: 0,
      lockedUntil: null,
      approvedBy: null,
    });
    expect(audit.record.mock.calls[0][1]).toMatchObject({ actor: null, details: { source: 'cli', lockout_cleared: true } });
  });

  it('recovery of an account that already is an active superuser changes nothing', async () => {
    const { sut, repository } = build({ target: user({ isSuperuser: true }) });
    expect(await sut.promote(null, TARGET, { reason: 'recovery', recover: true }, context)).toMatchObject({ changed: false });
    expect(repository.update).not.toHaveBeenCalled();
  });

  it('rejection ends the sessions; approving an approved user is refused', async () => {
    const pending = user({ isActive: false, isApproved: false, approvalStatus: 'pending' });
    const { approvals, sessions, mail } = build({ target: pending });
    const rejected = await approvals.decide(ADMIN, TARGET, false, 'no affiliation', context);
    expect(rejected).toMatchObject({ approvalStatus: 'rejected', rejectionReason: 'no affiliation', isActive: false });
    expect(mail.rejected).toHaveBeenCalledWith(manager, rejected, 'no affiliation');
    expect(mail.approved).not.toHaveBeenCalled();
    expect(sessions.revokeAllForUser).toHaveBeenCalledWith(manager, TARGET, 'rejected');
    await expect(build().approvals.decide(ADMIN, TARGET, true, null, context)).rejects.toMatchObject({
      code: 'USER_ALREADY_APPROVED',
    });
  });

  it('deletes and archives the tree as the last step inside the transaction; a missing user is 404', async () => {
    const { sut, repository, storage, audit } = build();
    const order: string[] = [];
    repository.transaction.mockImplementationOnce(async (work: (m: unknown) => unknown) => {
      const result = await work(manager);
      order.push('commit');
      return result;
    });
    repository.delete.mockImplementationOnce(async () => void order.push('delete'));
    audit.record.mockImplementationOnce(async () => void order.push('audit'));
    storage.archiveTree.mockImplementationOnce(async () => (order.push('archive'), '/data/deleted/x'));
    await sut.remove(ADMIN, TARGET, context);
    expect(order).toEqual(['delete', 'audit', 'archive', 'commit']);
    expect(repository.delete).toHaveBeenCalledWith(manager, TARGET);
    expect(storage.archiveTree).toHaveBeenCalledWith(TARGET, expect.any(Date));
    expect(storage.restoreArchivedTree).not.toHaveBeenCalled();
    await expect(build({ target: null }).sut.remove(ADMIN, TARGET, context)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
      status: 404,
    });
  });

  it('moves the tree back when the commit fails after the move, and not when the move itself failed', async () => {
    const failing = build();
    failing.repository.transaction.mockImplementationOnce(async (work: (m: unknown) => unknown) => {
      await work(manager);
      throw new Error('commit failed');
    });
    await expect(failing.sut.remove(ADMIN, TARGET, context)).rejects.toThrow('commit failed');
    expect(failing.storage.restoreArchivedTree).toHaveBeenCalledWith(TARGET, '/data/deleted/x');

    const unmovable = build();
    unmovable.storage.archiveTree.mockRejectedValueOnce(new Error('storage unavailable'));
    await expect(unmovable.sut.remove(ADMIN, TARGET, context)).rejects.toThrow('storage unavailable');
    expect(unmovable.storage.restoreArchivedTree).not.toHaveBeenCalled();
  });

  describe('ApprovalsService.decideMany', () => {
    const A = '0aaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    const B = '0bbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    const C = '0ccccccc-cccc-4ccc-8ccc-cccccccccccc';
    const D = '0ddddddd-dddd-4ddd-8ddd-dddddddddddd';
    const MISSING = '0eeeeeee-eeee-4eee-8eee-eeeeeeeeeeee';
    const rows = [
      user({ id: A, username: 'a', approvalStatus: 'pending', isApproved: false, isActive: false }),
      user({ id: B, username: 'b', approvalStatus: 'rejected', isApproved: false, isActive: false }),
      user({ id: C, username: 'c', approvalStatus: 'approved' }),
      user({ id: D, username: 'd', approvalStatus: 'pending', isApproved: false, isActive: false }),
    ];
    const setup = () => {
      const built = build();
      built.repository.lockByIds.mockImplementation(async (_m: unknown, ids: string[]) =>
        rows.filter((row) => ids.includes(row.id)),
      );
      return built;
    };
    const eventTypes = (audit: { record: jest.Mock }) =>
      audit.record.mock.calls.map((call) => (call[1] as { eventType: string }).eventType);

    it('approves pending and rejected users, reports the others, in the order first given, each id once', async () => {
      const { approvals: sut, repository, audit } = setup();
      const results = await sut.decideMany(ADMIN, [C, A, MISSING, A, B], true, 'partner lab', context);
      expect(results).toEqual([
        { id: C, outcome: 'already_approved' },
        { id: A, outcome: 'approved' },
        { id: MISSING, outcome: 'not_found' },
        { id: B, outcome: 'approved' },
      ]);
      expect(repository.lockByIds).toHaveBeenCalledWith(manager, [C, A, MISSING, B]);
      expect(repository.update.mock.calls.map((call) => call[1])).toEqual([A, B]);
      expect(repository.update.mock.calls[0][2]).toMatchObject({
        approvalStatus: 'approved',
        isActive: true,
        approvedBy: ADMIN.id,
      });
      expect(eventTypes(audit)).toEqual(['admin_user_approved', 'admin_user_approved', 'admin_bulk_decision']);
      expect(audit.record.mock.calls[2][1]).toMatchObject({
        actor: ADMIN,
        details: {
          approved: true,
          reason: 'partner lab',
          counts: { approved: 2, rejected: 0, already_approved: 1, not_pending: 0, not_found: 1 },
        },
      });
    });

    it('rejects pending users only (ending their sessions) and leaves approved and rejected ones as they are', async () => {
      const { approvals: sut, repository, sessions, audit } = setup();
      const results = await sut.decideMany(ADMIN, [A, B, C, D], false, 'no affiliation', context);
      expect(results.map((result) => result.outcome)).toEqual(['rejected', 'not_pending', 'not_pending', 'rejected']);
      expect(repository.update.mock.calls.map((call) => call[1])).toEqual([A, D]);
      expect(repository.update.mock.calls[0][2]).toMatchObject({ approvalStatus: 'rejected', rejectionReason: 'no affiliation' });
      expect(sessions.revokeAllForUser.mock.calls).toEqual([
        [manager, A, 'rejected'],
        [manager, D, 'rejected'],
      ]);
      expect(eventTypes(audit)).toEqual([
        'session_revoked',
        'admin_user_rejected',
        'session_revoked',
        'admin_user_rejected',
        'admin_bulk_decision',
      ]);
    });

    it('enqueues one decision mail per decided user, through the transaction', async () => {
      const { approvals: sut, repository, mail } = setup();
      repository.findById.mockImplementation(async (id: string) => rows.find((row) => row.id === id) ?? null);
      await sut.decideMany(ADMIN, [A, C, D], true, null, context);
      expect(mail.approved.mock.calls.map(([m, decided]) => [m, decided.id])).toEqual([
        [manager, A],
        [manager, D],
      ]);
      expect(mail.rejected).not.toHaveBeenCalled();
    });

    it('refuses the whole request, writing nothing, when the actor lost its power while waiting', async () => {
      const { approvals: sut, repository, audit } = setup();
      repository.lockActiveSuperusers.mockResolvedValue(new Set([OTHER_ADMIN]));
      await expect(sut.decideMany(ADMIN, [A], true, null, context)).rejects.toMatchObject({ code: 'ADMIN_REQUIRED' });
      expect(repository.update).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
    });
  });

  it('an admin ends the live sessions of a user, audited with reason by_admin even when none was live', async () => {
    const { sut, sessions, audit } = build();
    expect(await sut.revokeSessions(ADMIN, TARGET, context)).toBe(3);
    expect(sessions.revokeLiveForUser).toHaveBeenCalledWith(manager, TARGET, 'by_admin');
    expect(audit.record.mock.calls[0][1]).toMatchObject({
      eventType: 'session_revoked',
      actor: ADMIN,
      target: { id: TARGET },
      details: { reason: 'by_admin', sessions: 3 },
    });
    sessions.revokeLiveForUser.mockResolvedValueOnce(0);
    expect(await sut.revokeSessions(ADMIN, TARGET, context)).toBe(0);
    expect(audit.record).toHaveBeenCalledTimes(2);
    await expect(build({ target: null }).sut.revokeSessions(ADMIN, TARGET, context)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });
});
