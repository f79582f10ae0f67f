import type { LegacyDatabase } from './legacy-database';
import { LegacyImporter } from './legacy-importer';

const ARGON = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';
const COLUMNS = new Set(['id', 'email', 'username', 'hashed_password', 'is_active', 'is_superuser', 'created_at']);
const manager = { tx: 1 };

function legacy(rows: Array<Record<string, unknown>>): LegacyDatabase {
  return { file: '/old/users.db', columns: COLUMNS, schema: 'original', rows };
}

const row = (hex: string, username: string, createdAt: string) => ({
  id: hex.repeat(32).slice(0, 32),
  email: `${username}@example.org`,
  username,
  hashed_password: ARGON,
  is_active: 1,
  is_superuser: 0,
  created_at: createdAt,
});

function build(
  existing: { ids?: string[]; holders?: Record<string, { id: string; username: string; usernameTaken: boolean }> } = {},
) {
  const inserted: string[] = [];
  const users = {
    transaction: jest.fn(async (work: (m: unknown) => unknown) => work(manager)),
    lockForBulkImport: jest.fn(async () => undefined),
    findById: jest.fn(async (id: string) => ((existing.ids ?? []).includes(id) ? { id } : null)),
    identifierHolders: jest.fn(async (keys: { username: string }) => {
      const holder = existing.holders?.[keys.username];
      return holder ? [{ ...holder, email: 'x@example.org' }] : [];
    }),
    insertImported: jest.fn(async (_m: unknown, user: { id: string }) => {
      if (inserted.includes(user.id)) return false;
      inserted.push(user.id);
      return true;
    }),
    countActiveSuperusers: jest.fn(async () => 0),
  };
  const audit = { record: jest.fn(async (_manager: unknown, _event: unknown) => undefined) };
  const storage = { createTree: jest.fn(async () => undefined), userDir: (id: string) => `/nonexistent/${id}` };
  return { sut: new LegacyImporter(users as never, audit as never, storage as never), users, audit, storage };
}

describe('LegacyImporter', () => {
  it('imports oldest first under a table lock, with one audit event, then makes the trees', async () => {
    const { sut, users, audit, storage } = build();
    const report = await sut.run(legacy([row('b', 'bob', '2024-02-01 10:00:00'), row('a', 'ada', '2024-01-01 10:00:00')]));
    expect(users.lockForBulkImport).toHaveBeenCalledWith(manager);
    expect(report.imported.map((user) => user.username)).toEqual(['ada', 'bob']);
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(audit.record.mock.calls[0][1]).toMatchObject({ eventType: 'legacy_import', details: { imported: 2, rows: 2 } });
    expect(storage.createTree).toHaveBeenCalledTimes(2);
    expect(report).toMatchObject({ treesCreated: 2, activeSuperusers: 0 });
  });

  it('skips ids already present and reports conflicts instead of merging accounts', async () => {
    const existingId = 'a'.repeat(8) + '-' + 'a'.repeat(4) + '-' + 'a'.repeat(4) + '-' + 'a'.repeat(4) + '-' + 'a'.repeat(12);
    const { sut, users } = build({
      ids: [existingId],
      holders: { bob: { id: 'other-id', username: 'bob', usernameTaken: true } },
    });
    const report = await sut.run(legacy([row('a', 'ada', '2024-01-01'), row('b', 'bob', '2024-01-02')]));
    expect(report.skippedExisting).toEqual([{ id: existingId, username: 'ada' }]);
    expect(report.conflicts).toEqual([
      expect.objectContaining({
        username: 'bob',
        reason: "duplicate username: already used by 'bob'",
        conflicting_id: 'other-id',
      }),
    ]);
    expect(users.insertImported).not.toHaveBeenCalled();
  });

  it('writes nothing on a dry run (the transaction rolls back) and makes no tree', async () => {
    const { sut, storage } = build();
    const report = await sut.run(legacy([row('a', 'ada', '2024-01-01')]), { dryRun: true });
    expect(report.imported).toHaveLength(1);
    expect(storage.createTree).not.toHaveBeenCalled();
  });

  it('reports rows that cannot be imported without stopping', async () => {
    const { sut } = build();
    const report = await sut.run(legacy([{ ...row('a', 'ada', '2024-01-01'), id: 'not-a-uuid' }, row('b', 'bob', '2024-01-02')]));
    expect(report.invalid).toHaveLength(1);
    expect(report.imported.map((user) => user.username)).toEqual(['bob']);
  });
});
