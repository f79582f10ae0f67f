import { AppError } from '../common/errors/app-error';
import { UsersService } from './users.service';

/** A fake transaction manager that records the SQL the first-user rule runs. */
function fakeManager(usersExistAnswers: boolean[]) {
  const calls: string[] = [];
  const inserted: Array<Record<string, unknown>> = [];
  const manager = {
    query: jest.fn(async (sql: string) => {
      calls.push(sql);
      if (sql.includes('EXISTS')) return [{ e: usersExistAnswers.shift() ?? true }];
      if (sql.includes('pg_advisory_xact_lock')) return [{}];
      return [];
    }),
    create: jest.fn((_entity: unknown, value: Record<string, unknown>) => ({
      ...value,
      id: '0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d',
    })),
    insert: jest.fn(async (_entity: unknown, value: Record<string, unknown>) => inserted.push(value)),
    findOneByOrFail: jest.fn(async () => ({ ...inserted[0], createdAt: new Date() })),
  };
  return { manager, calls, inserted };
}

function build(manager: ReturnType<typeof fakeManager>['manager']) {
  const dataSource = { manager, transaction: jest.fn(async (work: (m: unknown) => unknown) => work(manager)) };
  const hasher = { hash: jest.fn(async () => '$argon2id$hash') };
  const storage = { createTree: jest.fn(async () => undefined), discardNewTree: jest.fn(async () => undefined) };
  const audit = { record: jest.fn(async () => undefined) };
  const sut = new UsersService(dataSource as never, {} as never, hasher as never, storage as never, audit as never);
  jest.spyOn(sut, 'identifierTaken').mockResolvedValue(false);
  return { sut, hasher, storage, audit };
}

const input = { email: 'ada@example.org', username: 'ada', password: 'long-enough-pw' };
const context = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'r1' };
const self = { origin: 'self' as const, context, duplicate: new AppError('REGISTER_USER_ALREADY_EXISTS') };

describe('UsersService first-user rule', () => {
  it('makes the first user superuser, approved and active, under the advisory lock', async () => {
    const { manager, calls, inserted } = fakeManager([false, false]);
    const { sut, audit } = build(manager);
    await sut.create(input, self);
    expect(calls.some((sql) => sql.includes('pg_advisory_xact_lock'))).toBe(true);
    expect(inserted[0]).toMatchObject({ isSuperuser: true, isApproved: true, isActive: true, approvalStatus: 'approved' });
    expect(audit.record).toHaveBeenCalledWith(manager, expect.objectContaining({ eventType: 'first_user_superuser_promotion' }));
  });

  it('does not make a superuser when another registration won the lock first', async () => {
    const { manager, inserted } = fakeManager([false, true]);
    const { sut, audit } = build(manager);
    await sut.create(input, self);
    expect(inserted[0]).toMatchObject({ isSuperuser: false, isApproved: false, isActive: false, approvalStatus: 'pending' });
    expect(audit.record).not.toHaveBeenCalledWith(
      manager,
      expect.objectContaining({ eventType: 'first_user_superuser_promotion' }),
    );
  });

  it('skips the lock entirely once users exist', async () => {
    const { manager, calls } = fakeManager([true]);
    const { sut } = build(manager);
    await sut.create(input, self);
    expect(calls.some((sql) => sql.includes('pg_advisory_xact_lock'))).toBe(false);
  });

  it('checks the password policy before hashing or touching the database', async () => {
    const { manager } = fakeManager([]);
    const { sut, hasher } = build(manager);
    await expect(sut.create({ ...input, password: 'ada' }, self)).rejects.toMatchObject({ code: 'REGISTER_INVALID_PASSWORD' });
    expect(hasher.hash).not.toHaveBeenCalled();
    expect(manager.query).not.toHaveBeenCalled();
  });

  it('rolls back and removes the tree when storage fails', async () => {
    const { manager } = fakeManager([true]);
    const { sut, storage } = build(manager);
    storage.createTree.mockRejectedValueOnce(new Error('disk full'));
    await expect(sut.create(input, self)).rejects.toThrow('disk full');
    expect(storage.discardNewTree).toHaveBeenCalledWith('0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d');
  });
});
