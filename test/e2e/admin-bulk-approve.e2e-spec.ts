import type { TestApp } from '../utils/create-test-app';
import { type ActiveUser, appWithAdmin, createActiveUser, loginToken, newCredentials, register } from '../utils/users';

/** docs/API.md §10 Administration: bulk decisions. */
describe('bulk decisions (e2e)', () => {
  let t: TestApp;
  let admin: ActiveUser;
  let adminAuth: { Authorization: string };
  beforeAll(async () => ({ t, admin, adminAuth } = await appWithAdmin()));
  afterAll(() => t.close());

  const pending = async (prefix = 'pending') => {
    const credentials = newCredentials(prefix);
    const response = await register(t, credentials).expect(201);
    return { ...credentials, id: response.body.id as string };
  };
  const statusOf = async (id: string) =>
    (await t.sql<{ approval_status: string }>('SELECT approval_status FROM users WHERE id = $1', [id]))[0]?.approval_status;
  const auditCount = async (eventType: string, targetId: string) =>
    (
      await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE event_type = $1 AND target_id = $2', [
        eventType,
        targetId,
      ])
    )[0].n;

  describe('POST /api/admin/users/bulk-approve', () => {
    const UNKNOWN = '0f0e0d0c-0b0a-4908-8706-050403020100';

    it('answers 422 for a bad body, a malformed id among good ones included, and changes nothing', async () => {
      const user = await pending();
      const bodies: unknown[] = [
        {},
        { approved: true },
        { user_ids: [user.id] },
        { user_ids: [], approved: true },
        { user_ids: user.id, approved: true },
        { user_ids: [user.id, 'nope'], approved: true },
        { user_ids: [user.id, 42], approved: true },
        { user_ids: Array.from({ length: 501 }, () => user.id), approved: true },
        { user_ids: [user.id], approved: 'yes' },
        { user_ids: [user.id], approved: true, reason: 'x'.repeat(1001) },
        { user_ids: [user.id], approved: true, extra: 1 },
      ];
      for (const body of bodies) {
        const response = await t.http
          .post('/api/admin/users/bulk-approve')
          .set(adminAuth)
          .send(body as object);
        expect({ body, status: response.status }).toEqual({ body, status: 422 });
        expect(Array.isArray(response.body.detail)).toBe(true);
      }
      const notList = await t.http.post('/api/admin/users/bulk-approve').set(adminAuth).send({ user_ids: 'x', approved: true });
      expect(notList.body.detail[0]).toMatchObject({ loc: ['body', 'user_ids'], type: 'list_type' });
      const empty = await t.http.post('/api/admin/users/bulk-approve').set(adminAuth).send({ user_ids: [], approved: true });
      expect(empty.body.detail[0]).toMatchObject({ loc: ['body', 'user_ids'], type: 'too_short' });
      expect(await statusOf(user.id)).toBe('pending');
      expect(await auditCount('admin_user_approved', user.id)).toBe(0);
    });

    it('approves pending and rejected users, reports the rest, each id once in the order first given', async () => {
      const first = await pending();
      const second = await pending();
      const rejected = await pending();
      await t.http.post(`/api/admin/users/${rejected.id}/approve`).set(adminAuth).send({ approved: false }).expect(200);
      const approved = await createActiveUser(t, 'done');
      const compact = first.id.replace(/-/g, '').toUpperCase();

      const response = await t.http
        .post('/api/admin/users/bulk-approve')
        .set(adminAuth)
        .set('User-Agent', 'bulk-test/1.0')
        .send({
          user_ids: [approved.id, first.id, UNKNOWN, compact, rejected.id, second.id],
          approved: true,
          reason: 'partner lab',
        })
        .expect(200);
      expect(response.body).toEqual({
        results: [
          { id: approved.id, outcome: 'already_approved' },
          { id: first.id, outcome: 'approved' },
          { id: UNKNOWN, outcome: 'not_found' },
          { id: rejected.id, outcome: 'approved' },
          { id: second.id, outcome: 'approved' },
        ],
      });
      for (const user of [first, second, rejected]) {
        const [row] = await t.sql<Record<string, unknown>>(
          'SELECT approval_status, is_active, is_approved, approved_by, rejection_reason FROM users WHERE id = $1',
          [user.id],
        );
        expect(row).toEqual({
          approval_status: 'approved',
          is_active: true,
          is_approved: true,
          approved_by: admin.id,
          rejection_reason: null,
        });
        const [event] = await t.sql<{ actor_id: string; details: unknown; user_agent: string }>(
          `SELECT actor_id, details, user_agent FROM audit_events WHERE event_type = 'admin_user_approved' AND target_id = $1`,
          [user.id],
        );
        expect(event).toEqual({ actor_id: admin.id, details: { reason: 'partner lab' }, user_agent: 'bulk-test/1.0' });
      }
      expect(await auditCount('admin_user_approved', approved.id)).toBe(0);
      const [bulk] = await t.sql<{ actor_id: string; target_id: string | null; details: unknown }>(
        `SELECT actor_id, target_id, details FROM audit_events WHERE event_type = 'admin_bulk_decision' ORDER BY id DESC LIMIT 1`,
      );
      expect(bulk).toEqual({
        actor_id: admin.id,
        target_id: null,
        details: {
          approved: true,
          reason: 'partner lab',
          counts: { approved: 3, rejected: 0, already_approved: 1, not_pending: 0, not_found: 1 },
        },
      });
      // Approved users can log in at once.
      await loginToken(t, first.username, first.password);
    });

    it('rejects pending users only, ending their sessions at once; approved and rejected users stay as they are', async () => {
      // A pending user with a live session: an account sent back to the queue by hand.
      const waiting = await createActiveUser(t, 'requeued');
      const token = await loginToken(t, waiting.username, waiting.password);
      await t.sql(`UPDATE users SET approval_status = 'pending', is_approved = false WHERE id = $1`, [waiting.id]);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      const plain = await pending();
      const approved = await createActiveUser(t, 'kept');
      const rejected = await pending();
      await t.http.post(`/api/admin/users/${rejected.id}/approve`).set(adminAuth).send({ approved: false, reason: 'first' });

      const response = await t.http
        .post('/api/admin/users/bulk-approve')
        .set(adminAuth)
        .send({ user_ids: [waiting.id, approved.id, rejected.id, plain.id], approved: false, reason: 'no affiliation' })
        .expect(200);
      expect(response.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
        'rejected',
        'not_pending',
        'not_pending',
        'rejected',
      ]);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
      const [revoked] = await t.sql<{ details: unknown }>(
        `SELECT details FROM audit_events WHERE event_type = 'session_revoked' AND target_id = $1`,
        [waiting.id],
      );
      expect(revoked.details).toEqual({ reason: 'rejected', sessions: 1 });
      const rows = await t.sql<{ id: string; approval_status: string; is_active: boolean; rejection_reason: string | null }>(
        'SELECT id, approval_status, is_active, rejection_reason FROM users WHERE id = ANY($1)',
        [[waiting.id, approved.id, rejected.id, plain.id]],
      );
      const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
      expect(byId[waiting.id]).toMatchObject({
        approval_status: 'rejected',
        is_active: false,
        rejection_reason: 'no affiliation',
      });
      expect(byId[plain.id]).toMatchObject({ approval_status: 'rejected', rejection_reason: 'no affiliation' });
      expect(byId[approved.id]).toMatchObject({ approval_status: 'approved', is_active: true });
      expect(byId[rejected.id]).toMatchObject({ approval_status: 'rejected', rejection_reason: 'first' });
      expect(await auditCount('admin_user_rejected', rejected.id)).toBe(1);
    });

    it('takes no deadlock beside concurrent bulk and single decisions on overlapping users (5 rounds)', async () => {
      for (let round = 0; round < 5; round++) {
        const users = [];
        for (let i = 0; i < 8; i++) users.push(await pending('race'));
        const ids = users.map((user) => user.id);
        // Overlapping lists in different orders: rotated, and every other one reversed.
        const order = (seed: number) => {
          const rotated = [...ids.slice(seed), ...ids.slice(0, seed)];
          return seed % 2 === 0 ? rotated.reverse() : rotated;
        };
        const requests = [
          ...[1, 2, 3, 4].map((seed) =>
            t.http
              .post('/api/admin/users/bulk-approve')
              .set(adminAuth)
              .send({ user_ids: order(seed), approved: true }),
          ),
          ...ids.map((id) => t.http.post(`/api/admin/users/${id}/approve`).set(adminAuth).send({ approved: true })),
        ];
        const responses = await Promise.all(requests);
        const statuses = responses.map((r) => r.status);
        expect({ round, unexpected: statuses.filter((s) => s !== 200 && s !== 400) }).toEqual({ round, unexpected: [] });
        const bulkApproved = responses
          .slice(0, 4)
          .flatMap((r) => r.body.results as Array<{ outcome: string }>)
          .filter((r) => r.outcome === 'approved').length;
        const singleApproved = responses.slice(4).filter((r) => r.status === 200).length;
        expect(bulkApproved + singleApproved).toBe(ids.length);
        for (const id of ids) {
          expect(await statusOf(id)).toBe('approved');
          expect(await auditCount('admin_user_approved', id)).toBe(1);
        }
      }
    });
  });
});
