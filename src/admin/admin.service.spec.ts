import { encodeCursor } from '../common/http/cursor';
import type { User } from '../users/user.entity';
import { AdminService } from './admin.service';

const ADMIN = { id: '11111111-1111-4111-8111-111111111111', username: 'root' };
const TARGET = '33333333-3333-4333-8333-333333333333';
const OTHER = '44444444-4444-4444-8444-444444444444';
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
    pendingQueue: jest.fn(async () => ({
      users: [grace, { ...grace, id: OTHER, email: 'x@elsewhere.net' }],
      nextAfter: { value: '2026-01-01 00:00:00+00', id: OTHER },
      count: 7,
    })),
    findById: jest.fn(async (id: string): Promise<User | null> => (id === TARGET ? grace : null)),
  };
  const actions = {
    update: jest.fn(async () => grace),
    promote: jest.fn(async () => ({ user: grace, changed: true, lockoutCleared: false })),
    create: jest.fn(async () => grace),
  };
  const approvals = {
    decide: jest.fn(async () => grace),
    decideMany: jest.fn(async (_actor: unknown, ids: string[]) => ids.map((id) => ({ id, outcome: 'approved' }))),
  };
  const trustedDomains = {
    findMatches: jest.fn(async (emails: string[]) =>
      emails.map((email) => (email.endsWith('@example.org') ? { domain: 'example.org', institution: null } : null)),
    ),
  };
  const sessions = {
    listLive: jest.fn(async () => [
      {
        id: 's1',
        userId: TARGET,
        createdAt: new Date('2026-01-03T00:00:00Z'),
        lastSeenAt: new Date('2026-01-03T00:05:00Z'),
        revokedAt: null,
        revokedReason: null,
        ip: '203.0.113.7',
        userAgent: 'jest',
      },
    ]),
  };
  return {
    sut: new AdminService(users as never, actions as never, trustedDomains as never, sessions as never, approvals as never),
    users,
    actions,
    approvals,
    trustedDomains,
    sessions,
  };
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

  it("pages the pending queue, tags its cursor, and names each user's trusted domain", async () => {
    const { sut, users, trustedDomains } = build();
    const page = await sut.pendingApprovals({ q: 'gr', institution: 'Somewhere', limit: 2 });
    expect(users.pendingQueue).toHaveBeenCalledWith({ q: 'gr', institution: 'Somewhere', limit: 2, after: undefined });
    expect(trustedDomains.findMatches).toHaveBeenCalledWith(['grace@example.org', 'x@elsewhere.net']);
    expect(page.count).toBe(7);
    expect(page.pending_users.map((user) => user.trusted_domain)).toEqual(['example.org', null]);
    expect(page.next_cursor).toBe(encodeCursor({ s: 'pending', v: '2026-01-01 00:00:00+00', i: OTHER }));

    await sut.pendingApprovals({ cursor: page.next_cursor! });
    expect(users.pendingQueue).toHaveBeenLastCalledWith(
      expect.objectContaining({ limit: 100, after: { value: '2026-01-01 00:00:00+00', id: OTHER } }),
    );
  });

  it('refuses a users-list cursor in the pending queue, and the other way round', async () => {
    const { sut } = build();
    const listCursor = encodeCursor({ s: 'created_at', v: '2026-01-01 00:00:00+00', i: TARGET });
    await expect(sut.pendingApprovals({ cursor: listCursor })).rejects.toMatchObject({ code: 'INVALID_QUERY' });
    const pendingCursor = encodeCursor({ s: 'pending', v: '2026-01-01 00:00:00+00', i: TARGET });
    await expect(sut.listUsers({ cursor: pendingCursor })).rejects.toMatchObject({ code: 'INVALID_QUERY' });
  });

  it('normalises bulk ids (32 hex digits, upper case) before deciding', async () => {
    const { sut, approvals } = build();
    const answer = await sut.bulkDecide(ADMIN, { user_ids: [TARGET.replace(/-/g, '').toUpperCase()], approved: true }, context);
    expect(approvals.decideMany).toHaveBeenCalledWith(ADMIN, [TARGET], true, null, context);
    expect(answer).toEqual({ results: [{ id: TARGET, outcome: 'approved' }] });
  });

  it("lists a user's live sessions in the session shape, and answers 404 for an unknown user", async () => {
    const { sut, sessions } = build();
    expect(await sut.userSessions(TARGET)).toEqual({
      sessions: [
        {
          id: 's1',
          created_at: '2026-01-03T00:00:00.000Z',
          last_seen_at: '2026-01-03T00:05:00.000Z',
          ip: '203.0.113.7',
          user_agent: 'jest',
        },
      ],
    });
    await expect(sut.userSessions(OTHER)).rejects.toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
    expect(sessions.listLive).toHaveBeenCalledTimes(1);
  });
});
