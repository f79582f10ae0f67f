import type { TestApp } from '../utils/create-test-app';
import { appWithAdmin, newCredentials, register } from '../utils/users';

/** docs/API.md §10 Administration: the pending queue (filters, cursor, trusted domain). */
describe('pending queue (e2e)', () => {
  let t: TestApp;
  let adminAuth: { Authorization: string };
  beforeAll(async () => ({ t, adminAuth } = await appWithAdmin()));
  afterAll(() => t.close());

  const pending = async (prefix = 'pending', extra: Record<string, unknown> = {}, email?: string) => {
    const credentials = newCredentials(prefix);
    if (email) credentials.email = email;
    const response = await register(t, credentials, extra).expect(201);
    return { ...credentials, id: response.body.id as string };
  };
  const pages = async (query: Record<string, string | number>) => {
    const seen: Array<Record<string, unknown>> = [];
    const counts: number[] = [];
    let cursor: string | null = null;
    do {
      const body: { pending_users: Array<Record<string, unknown>>; count: number; next_cursor: string | null } = (
        await t.http
          .get('/api/admin/pending-approvals')
          .query(cursor ? { ...query, cursor } : query)
          .set(adminAuth)
          .expect(200)
      ).body;
      seen.push(...body.pending_users);
      counts.push(body.count);
      cursor = body.next_cursor;
    } while (cursor);
    return { seen, counts };
  };

  describe('GET /api/admin/pending-approvals', () => {
    it('keeps the original answer without parameters, plus next_cursor and trusted_domain', async () => {
      await pending();
      const response = await t.http.get('/api/admin/pending-approvals').set(adminAuth).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['count', 'next_cursor', 'pending_users']);
      expect(Object.keys(response.body.pending_users[0]).sort()).toEqual(
        ['id', 'username', 'email', 'approval_note', 'institution', 'created_at', 'is_active', 'trusted_domain'].sort(),
      );
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE approval_status = 'pending'`);
      expect(response.body).toMatchObject({ count: n, next_cursor: null });
      expect(response.body.pending_users).toHaveLength(n);
    });

    it('filters by q and institution, pages oldest first with a cursor, and counts the whole filtered queue', async () => {
      const tag = `inst${Date.now().toString(36)}`;
      const members = [];
      for (let i = 0; i < 5; i++) members.push(await pending('queue', { institution: `Institute ${tag}` }));
      await pending('queue', { institution: `Institute ${tag} annex` });
      await pending('queue', { institution: 'Elsewhere' });

      const byInstitution = await pages({ institution: `INSTITUTE ${tag.toUpperCase()}`, limit: 2 });
      expect(byInstitution.seen.map((u) => u.id)).toEqual(members.map((m) => m.id));
      expect(byInstitution.counts).toEqual([5, 5, 5]);

      const bySearch = await pages({ q: tag.toUpperCase(), limit: 4 });
      expect(bySearch.seen).toHaveLength(6);
      expect(bySearch.counts).toEqual([6, 6]);
      const created = bySearch.seen.map((u) => u.created_at as string);
      expect(created).toEqual([...created].sort());

      const byName = await t.http
        .get('/api/admin/pending-approvals')
        .query({ q: members[2].username })
        .set(adminAuth)
        .expect(200);
      expect(byName.body.pending_users.map((u: { id: string }) => u.id)).toEqual([members[2].id]);
      expect(byName.body.count).toBe(1);

      // Every page of the whole queue, in order, equals the unpaged queue.
      const whole = await t.http.get('/api/admin/pending-approvals').query({ limit: 1000 }).set(adminAuth).expect(200);
      const paged = await pages({ limit: 3 });
      expect(paged.seen.map((u) => u.id)).toEqual(whole.body.pending_users.map((u: { id: string }) => u.id));
    });

    it('names the matching trusted domain (the longest one), or null', async () => {
      const suffix = Date.now().toString(36);
      await t.http
        .post('/api/admin/trusted-domains')
        .set(adminAuth)
        .send({ domain: `uni-${suffix}.example` })
        .expect(201);
      await t.http
        .post('/api/admin/trusted-domains')
        .set(adminAuth)
        .send({ domain: `lab.uni-${suffix}.example` })
        .expect(201);
      const top = await pending('td', {}, `a${suffix}@UNI-${suffix}.example`);
      const deep = await pending('td', {}, `b${suffix}@x.lab.uni-${suffix}.example`);
      const other = await pending('td', {}, `c${suffix}@notuni-${suffix}.example`);
      const response = await t.http.get('/api/admin/pending-approvals').query({ q: suffix }).set(adminAuth).expect(200);
      const domainOf = (id: string) =>
        response.body.pending_users.find((u: { id: string; trusted_domain: string | null }) => u.id === id).trusted_domain;
      expect(domainOf(top.id)).toBe(`uni-${suffix}.example`);
      expect(domainOf(deep.id)).toBe(`lab.uni-${suffix}.example`);
      expect(domainOf(other.id)).toBeNull();
    });

    it('answers 400 in the query-error shape for a bad query', async () => {
      const listCursor = (await t.http.get('/api/admin/users').query({ limit: 1 }).set(adminAuth).expect(200)).body.next_cursor;
      for (const query of [{ limit: '0' }, { limit: '1001' }, { limit: 'ten' }, { cursor: 'garbage!' }, { cursor: listCursor }]) {
        const response = await t.http.get('/api/admin/pending-approvals').query(query).set(adminAuth).expect(400);
        expect(response.body.detail).toBeDefined();
      }
      const unknown = await t.http.get('/api/admin/pending-approvals').query({ status: 'pending' }).set(adminAuth).expect(400);
      expect(unknown.body.detail[0]).toMatchObject({ loc: ['query', 'status'], type: 'extra_forbidden' });
      const tooLong = await t.http
        .get('/api/admin/pending-approvals')
        .query({ institution: 'x'.repeat(301) })
        .set(adminAuth)
        .expect(400);
      expect(tooLong.body.detail[0]).toMatchObject({ loc: ['query', 'institution'], type: 'string_too_long' });
    });
  });
});
