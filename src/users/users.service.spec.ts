import { Clock } from '../common/clock/clock';
import { loadConfig } from '../config/load-config';
import { AppError } from '../common/errors/app-error';
import type { User } from './user.entity';
import { UsersService } from './users.service';

const ID = '0b4c5d6e-1f20-4a3b-8c4d-5e6f7a8b9c0d';
const manager = { transactional: true };
const input = { email: 'ada@example.org', username: 'ada', password: 'long-enough-pw' };
const context = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'r1' };
const duplicate = () => new AppError('REGISTER_USER_ALREADY_EXISTS');
const ADMIN = { id: '9e8d7c6b-5a49-4382-9170-615243342516', username: 'root' };

function build(options: { first?: boolean; taken?: boolean; populated?: boolean } = {}) {
  const repository = {
    transaction: jest.fn(async (work: (m: unknown) => unknown) => work(manager)),
    creationCheck: jest.fn(async () => ({ taken: options.taken ?? false, populated: options.populated ?? !options.first })),
    claimFirstUser: jest.fn(async () => options.first ?? false),
    insert: jest.fn(async (_m: unknown, row: Partial<User>) => ({ ...row, id: ID, createdAt: new Date() }) as User),
  };
  const hasher = { hash: jest.fn(async () => '$argon2id$hash') };
  const storage = { createTree: jest.fn(async () => undefined), discardNewTree: jest.fn(async () => undefined) };
  const audit = { record: jest.fn(async () => undefined) };
  const mail = { registered: jest.fn(async () => undefined), registrationRolledBack: jest.fn() };
  const sut = new UsersService(
    repository as never,
    hasher as never,
    storage as never,
    audit as never,
    new Clock(),
    loadConfig({}),
    mail as never,
  );
  const eventTypes = () => audit.record.mock.calls.map((call: unknown[]) => (call[1] as { eventType: string }).eventType);
  return { sut, repository, hasher, storage, audit, eventTypes, mail };
}

describe('UsersService.create', () => {
  it('makes the first user superuser, approved and active, and records both events', async () => {
    const { sut, repository, eventTypes } = build({ first: true });
    await sut.create(input, { kind: 'self' }, { context, duplicate });
    expect(repository.insert.mock.calls[0][1]).toMatchObject({
      isSuperuser: true,
      isApproved: true,
      isActive: true,
      approvalStatus: 'approved',
      approvedBy: null,
    });
    expect(eventTypes()).toEqual(['user_registered', 'first_user_superuser_promotion']);
  });

  it('leaves a later self-registration pending and inactive, and mails it in the same transaction', async () => {
    const { sut, repository, eventTypes, mail } = build({ first: false });
    await sut.create(input, { kind: 'self' }, { context, duplicate });
    expect(mail.registered).toHaveBeenCalledWith(manager, expect.objectContaining({ approvalStatus: 'pending' }));
    expect(repository.insert.mock.calls[0][1]).toMatchObject({
      isSuperuser: false,
      isApproved: false,
      isActive: false,
      approvalStatus: 'pending',
      approvedAt: null,
    });
    expect(eventTypes()).toEqual(['user_registered']);
  });

  it('approves an admin-created user with the admin as approver, honouring is_superuser and is_active', async () => {
    const { sut, repository, audit } = build();
    await sut.create(input, { kind: 'admin', actor: ADMIN, isActive: false, isSuperuser: true }, { context, duplicate });
    expect(repository.insert.mock.calls[0][1]).toMatchObject({
      isSuperuser: true,
      isActive: false,
      isApproved: true,
      approvalStatus: 'approved',
      approvedBy: ADMIN.id,
    });
    expect(audit.record).toHaveBeenCalledWith(
      manager,
      expect.objectContaining({
        eventType: 'admin_user_creation',
        actor: ADMIN,
        details: { email: input.email, is_superuser: true, is_active: false },
      }),
    );
  });

  it('creates an operator superuser without an approver, with its source in the trail', async () => {
    const { sut, repository, audit } = build();
    await sut.create(input, { kind: 'operator', source: 'cli' }, { context, duplicate });
    expect(repository.insert.mock.calls[0][1]).toMatchObject({ isSuperuser: true, isActive: true, approvedBy: null });
    expect(audit.record).toHaveBeenCalledWith(
      manager,
      expect.objectContaining({
        eventType: 'admin_user_creation',
        actor: null,
        details: expect.objectContaining({ source: 'cli' }),
      }),
    );
  });

  it('runs in the transaction the caller opens (admin creation holds the superuser lock)', async () => {
    const { sut, repository } = build();
    const transaction = jest.fn(async (work: (m: never) => Promise<unknown>) => work({ locked: true } as never));
    await sut.create(input, { kind: 'self' }, { context, duplicate, transaction: transaction as never });
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(repository.transaction).not.toHaveBeenCalled();
    expect(repository.insert.mock.calls[0][0]).toEqual({ locked: true });
  });

  it('checks the password policy before hashing or touching the database', async () => {
    const { sut, hasher, repository } = build();
    await expect(sut.create({ ...input, password: 'ada' }, { kind: 'self' }, { context, duplicate })).rejects.toMatchObject({
      code: 'REGISTER_INVALID_PASSWORD',
    });
    expect(hasher.hash).not.toHaveBeenCalled();
    expect(repository.creationCheck).not.toHaveBeenCalled();
  });

  it('answers the route-specific duplicate before hashing when the username or email is taken', async () => {
    const { sut, hasher, repository } = build({ taken: true });
    await expect(sut.create(input, { kind: 'self' }, { context, duplicate })).rejects.toMatchObject({
      code: 'REGISTER_USER_ALREADY_EXISTS',
      status: 400,
    });
    expect(hasher.hash).not.toHaveBeenCalled();
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('turns a unique violation inside the transaction into the same duplicate answer', async () => {
    const { sut, repository } = build();
    repository.insert.mockRejectedValueOnce(Object.assign(new Error('dup'), { code: '23505' }));
    await expect(sut.create(input, { kind: 'self' }, { context, duplicate })).rejects.toMatchObject({
      code: 'REGISTER_USER_ALREADY_EXISTS',
      status: 400,
    });
  });

  it('rolls back and removes the tree when storage fails', async () => {
    const { sut, storage, mail } = build();
    storage.createTree.mockRejectedValueOnce(new Error('disk full'));
    await expect(sut.create(input, { kind: 'self' }, { context, duplicate })).rejects.toThrow('disk full');
    expect(storage.discardNewTree).toHaveBeenCalledWith(ID);
    expect(mail.registered).not.toHaveBeenCalled();
  });

  it('makes the tree before queuing the mails; when the mails fail, removes the tree and forgets the digest it scheduled', async () => {
    const { sut, storage, mail } = build();
    mail.registered.mockImplementationOnce(async () => {
      expect(storage.createTree).toHaveBeenCalledWith(ID);
      throw new Error('queue down');
    });
    await expect(sut.create(input, { kind: 'self' }, { context, duplicate })).rejects.toThrow('queue down');
    expect(storage.discardNewTree).toHaveBeenCalledWith(ID);
    expect(mail.registrationRolledBack).toHaveBeenCalledTimes(1);
  });

  it('takes the first-user lock only when no user existed before the hash', async () => {
    const populated = build({ populated: true });
    await populated.sut.create(input, { kind: 'self' }, { context, duplicate });
    expect(populated.repository.claimFirstUser).not.toHaveBeenCalled();
    const empty = build({ populated: false, first: false });
    await empty.sut.create(input, { kind: 'self' }, { context, duplicate });
    expect(empty.repository.claimFirstUser).toHaveBeenCalledWith(manager);
  });
});
