import { mapLegacyUser, normaliseUuid, toBoolean, toTimestamp } from './legacy-user';

const WITH_APPROVAL = new Set([
  'id',
  'email',
  'username',
  'hashed_password',
  'is_active',
  'is_superuser',
  'is_verified',
  'is_approved',
  'approved_by',
  'approved_at',
  'created_at',
]);
const ORIGINAL = new Set([
  'id',
  'email',
  'username',
  'hashed_password',
  'is_active',
  'is_superuser',
  'is_verified',
  'created_at',
]);
const row = (extra: Record<string, unknown> = {}) => ({
  id: '0F4A1C3E9B2D4E6F8A1B2C3D4E5F6A7B',
  email: 'Ada@Example.org',
  username: 'ada',
  hashed_password: '$2b$12$abcdefghijklmnopqrstuu',
  is_active: 1,
  is_superuser: 0,
  is_verified: 1,
  ...extra,
});

describe('normaliseUuid', () => {
  it.each([
    ['0f4a1c3e9b2d4e6f8a1b2c3d4e5f6a7b', '0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b'],
    ['0F4A1C3E-9B2D-4E6F-8A1B-2C3D4E5F6A7B', '0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b'],
    ['{0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b}', '0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b'],
    [Buffer.from('0f4a1c3e9b2d4e6f8a1b2c3d4e5f6a7b', 'hex'), '0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b'],
  ])('accepts %p', (input, expected) => {
    expect(normaliseUuid(input)).toBe(expected);
  });

  it.each([['0f4a1c3e9b2d4e6f8a1b2c3d4e5f6a7'], ['../../etc/passwd'], ['0f4a1c3e-9b2d4e6f8a1b2c3d4e5f6a7b'], [42], [null]])(
    'refuses %p',
    (input) => {
      expect(normaliseUuid(input)).toBeNull();
    },
  );
});

describe('toBoolean', () => {
  it('reads SQLite integers and text, and falls back otherwise', () => {
    expect([
      toBoolean(1, false),
      toBoolean(0, true),
      toBoolean(1n, false),
      toBoolean('true', false),
      toBoolean('f', true),
    ]).toEqual([true, false, true, true, false]);
    expect([toBoolean(null, true), toBoolean(undefined, false), toBoolean('maybe', true)]).toEqual([true, false, true]);
  });
});

describe('toTimestamp', () => {
  it.each([
    ['2024-01-01 10:00:00.000001', '2024-01-01T10:00:00.000001Z'],
    ['2024-01-01T10:00:00', '2024-01-01T10:00:00Z'],
    ['2024-01-01 10:00', '2024-01-01T10:00:00Z'],
    ['2024-01-01', '2024-01-01T00:00:00Z'],
    ['2024-01-01 10:00:00.123456789+02:00', '2024-01-01T10:00:00.123456+02:00'],
    ['2024-01-01 10:00:00+0530', '2024-01-01T10:00:00+05:30'],
    [1704103200, '2024-01-01T10:00:00.000Z'],
    [1704103200000, '2024-01-01T10:00:00.000Z'],
  ])('reads %p', (input, expected) => {
    expect(toTimestamp(input)).toBe(expected);
  });

  it.each([['2024-02-30 10:00:00'], ['2024-13-01'], ['yesterday'], [''], [null], [0]])('refuses %p', (input) => {
    expect(toTimestamp(input)).toBeNull();
  });
});

describe('mapLegacyUser', () => {
  it('maps is_approved to the approval states and keeps the rest', () => {
    const approved = mapLegacyUser(
      row({ is_approved: 1, approved_by: 'A0000000000040008000000000000001', approved_at: '2024-01-02 00:00:00' }),
      WITH_APPROVAL,
    );
    expect(approved).toEqual({
      user: expect.objectContaining({
        id: '0f4a1c3e-9b2d-4e6f-8a1b-2c3d4e5f6a7b',
        email: 'Ada@Example.org',
        isApproved: true,
        approvalStatus: 'approved',
        approvedBy: 'a0000000-0000-4000-8000-000000000001',
        approvedAt: '2024-01-02T00:00:00Z',
        unusableHash: false,
      }),
    });
    const pending = mapLegacyUser(row({ is_approved: 0, approved_by: 'A0000000000040008000000000000001' }), WITH_APPROVAL);
    expect(pending).toEqual({
      user: expect.objectContaining({ isApproved: false, approvalStatus: 'pending', approvedBy: null, approvedAt: null }),
    });
  });

  it('treats users of a database without the approval columns as approved', () => {
    expect(mapLegacyUser(row(), ORIGINAL)).toEqual({
      user: expect.objectContaining({ isApproved: true, approvalStatus: 'approved', createdAt: null }),
    });
  });

  it('flags hashes it cannot verify, and refuses rows without an id, a username or an email', () => {
    expect(mapLegacyUser(row({ hashed_password: '$pbkdf2-sha256$29000$abc$def' }), ORIGINAL)).toEqual({
      user: expect.objectContaining({ unusableHash: true }),
    });
    expect(mapLegacyUser(row({ id: 'not-a-uuid' }), ORIGINAL)).toMatchObject({ invalid: 'id is not a UUID', id: 'not-a-uuid' });
    expect(mapLegacyUser(row({ username: '' }), ORIGINAL)).toMatchObject({ invalid: 'username is empty' });
    expect(mapLegacyUser(row({ email: null }), ORIGINAL)).toMatchObject({ invalid: 'email is empty' });
    expect(mapLegacyUser(row({ username: 'x'.repeat(151) }), ORIGINAL)).toMatchObject({
      invalid: 'username is longer than 150 characters',
    });
  });
});
