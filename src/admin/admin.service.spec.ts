import { encodeCursor } from '../common/http/cursor';
import type { User } from '../users/user.entity';
import { AdminService } from './admin.service';

const ADMIN = { id: '11111111-1111-4111-8111-111111111111', username: 'root' };
const TARGET = '33333333-3333-4333-8333-333333333333';
const context = { ip: null, userAgent: null, requestId: 'r1' };
const grace = {
  id: TARGET,
  username: 'grace',
  email: 'grace@example.org',
  isActive: true,
  isSuperuser: false,
  isVerified: true,
  isApproved: true,
  approvalStatus: 'approved',
  approvalNote: null,
  institution: 'Somewhere',
  approvedBy: ADMIN.id,
  approvedAt: new Date('2026-01-02T00:00:00Z'),
  createdAt: new Date('2026-01-01T00:00:00Z'),
} as User;

function build() {
  const users = {
    list: jest.fn(async () => ({
      users: [grace],
      nextAfter: { value: 'v', id: TARGET },
      total: 3,
      superusers: 1,
      activeUsers: 2,
    })),
    counts: jest.fn(async () => ({ total: 5, active: 3, superusers: 1, pending: 1, rejected: 1 })),
    pending: jest.fn(async () => [grace]),
  };
  const actions = {
    update: jest.fn(async () => grace),
    promote: jest.fn(async () => ({ user: grace, changed: true, lockoutCleared: false })),
    decide: jest.fn(async () => grace),
    create: jest.fn(async () => grace),
  };
  return { sut: new AdminService(users as never, actions as never), users, actions };
}

describe('AdminService', () => {
  it('passes filters and sort to the users module and encodes the next cursor for that sort', async () => {
    const { sut, users } = build();
    const page = await sut.listUsers({ q: 'gr', status: 'active', sort: '-username', limit: 10 });
    expect(users.list).toHaveBeenCalledWith(
      expect.objectContaining({ q: 'gr', status: 'active', sort: 'username', descending: true, limit: 10, after: undefined }),
    );
    expect(page).toMatchObject({
      total: 3,
      superusers: 1,
      active_users: 2,
      next_cursor: encodeCursor({ s: '-username', v: 'v', i: TARGET }),
    });
    expect(page.users[0]).toMatchObject({
      id: TARGET,
      approved_at: '2026-01-02T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
    });
  });

  it('refuses a cursor made for another sort, or with a bad id or time', async () => {
    const { sut } = build();
    const bad = [
      encodeCursor({ s: 'username', v: 'x', i: TARGET }),
      encodeCursor({ s: 'created_at', v: 'yesterday', i: TARGET }),
      encodeCursor({ s: 'created_at', v: '2026-01-01 00:00:00+00', i: 'nope' }),
      'not base64 json',
    ];
    for (const cursor of bad) {
      await expect(sut.listUsers({ sort: 'created_at', cursor })).rejects.toMatchObject({ code: 'INVALID_QUERY', status: 400 });
    }
  });

  it('leaves fields sent as null unchanged in an update', async () => {
    const { sut, actions } = build();
    await sut.updateUser(ADMIN, TARGET, { username: null, email: 'g@example.org' } as never, context);
    expect(actions.update).toHaveBeenCalledWith(ADMIN, TARGET, { email: 'g@example.org' }, context);
  });

  it('refuses a body user_id that does not match the path, and accepts the 32-hex form', async () => {
    const { sut, actions } = build();
    await expect(sut.promote(ADMIN, TARGET, { user_id: '22222222-2222-4222-8222-222222222222' }, context)).rejects.toMatchObject({
      code: 'USER_ID_MISMATCH',
    });
    expect(actions.promote).not.toHaveBeenCalled();
    const answer = await sut.promote(ADMIN, TARGET, { user_id: TARGET.replace(/-/g, '') }, context);
    expect(answer.message).toBe("User 'grace' promoted to superuser successfully");
  });

  it('derives the stats from the kept counts (inactive = total − active)', async () => {
    const { sut } = build();
    expect(await sut.stats()).toEqual({
      total_users: 5,
      active_users: 3,
      inactive_users: 2,
      superusers: 1,
      regular_users: 4,
      pending_approvals: 1,
      rejected_users: 1,
      system_info: { first_user_created: true, has_superusers: true },
    });
  });

  it('creates admin users with the original system note and institution', async () => {
    const { sut, actions } = build();
    await sut.createUser(ADMIN, { username: 'n', email: 'n@example.org', password: 'long-enough' } as never, context);
    expect(actions.create).toHaveBeenCalledWith(
      ADMIN,
      expect.objectContaining({ approvalNote: 'Created by admin', institution: 'Admin created' }),
      { isActive: true, isSuperuser: false },
      context,
    );
  });
});
