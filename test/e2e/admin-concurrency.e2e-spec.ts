import { Client } from 'pg';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

const ROUNDS = 20;
// 20 rounds of real hashing and locking: generous on a loaded machine (no assertion depends on time).
jest.setTimeout(240_000);

describe('admin invariants under concurrency (e2e, each scenario 20 times)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const bearer = async (user: { username: string; password: string }) => ({
    Authorization: `Bearer ${await loginToken(t, user.username, user.password)}`,
  });
  const activeSuperusers = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM users WHERE is_superuser AND is_active'))[0].n);

  /** A fresh database state per round: exactly the two admins A and B are active superusers. */
  async function twoAdmins() {
    await t.sql('TRUNCATE users CASCADE');
    const a = await createActiveUser(t, 'adminA', true);
    const b = await createActiveUser(t, 'adminB', true);
    return { a, b, authA: await bearer(a), authB: await bearer(b) };
  }

  it('mutual demotion leaves exactly one superuser and one success', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { a, b, authA, authB } = await twoAdmins();
      const [ab, ba] = await Promise.all([
        t.http.post(`/api/admin/users/${b.id}/demote`).set(authA),
        t.http.post(`/api/admin/users/${a.id}/demote`).set(authB),
      ]);
      // The loser is refused by the invariant (409) when both got past authentication, or
      // by authentication itself (403: no longer a superuser) when the winner committed first.
      const loser = ab.status === 200 ? ba : ab;
      expect({ round, winner: [ab.status, ba.status].filter((s) => s === 200).length }).toEqual({ round, winner: 1 });
      expect([409, 403]).toContain(loser.status);
      if (loser.status === 409) expect(loser.body.code).toBe('LAST_SUPERUSER');
      expect(await activeSuperusers()).toBe(1);
    }
  });

  it('both demotions past authentication at once: exactly one 200 and one 409 LAST_SUPERUSER', async () => {
    for (let round = 0; round < 5; round++) {
      const { a, b, authA, authB } = await twoAdmins();
      // Hold the superuser rows so that both requests get past authentication and queue on the lock.
      const holder = new Client({ connectionString: t.databaseUrl });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM users WHERE is_superuser FOR UPDATE');
      const both = Promise.all([
        t.http.post(`/api/admin/users/${b.id}/demote`).set(authA),
        t.http.post(`/api/admin/users/${a.id}/demote`).set(authB),
      ]);
      await eventually(async () => {
        const [waiting] = await t.sql<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(Number(waiting.n)).toBe(2);
      }, 10_000);
      await holder.query('COMMIT');
      await holder.end();
      const responses = await both;
      expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(responses.find((r) => r.status === 409)!.body).toMatchObject({ code: 'LAST_SUPERUSER' });
      expect(await activeSuperusers()).toBe(1);
    }
  });

  /** Deactivation and deletion end the loser's sessions, so it may also be refused with 401. */
  function expectOneWinner(responses: Array<{ status: number; body: { code?: string } }>) {
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    const loser = responses.find((r) => r.status !== 200)!;
    expect([409, 401]).toContain(loser.status);
    if (loser.status === 409) expect(loser.body.code).toBe('LAST_SUPERUSER');
  }

  it('mutual deactivation and mutual deletion also leave exactly one active superuser', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { a, b, authA, authB } = await twoAdmins();
      const deactivation = await Promise.all([
        t.http.patch(`/api/admin/users/${b.id}`).set(authA).send({ is_active: false }),
        t.http.patch(`/api/admin/users/${a.id}`).set(authB).send({ is_active: false }),
      ]);
      expectOneWinner(deactivation);
      expect(await activeSuperusers()).toBe(1);

      const fresh = await twoAdmins();
      const deletion = await Promise.all([
        t.http.delete(`/api/admin/users/${fresh.b.id}`).set(fresh.authA),
        t.http.delete(`/api/admin/users/${fresh.a.id}`).set(fresh.authB),
      ]);
      expectOneWinner(deletion);
      expect(await activeSuperusers()).toBe(1);
    }
  });

  it('20 parallel approvals of one user: exactly one success and one audit row', async () => {
    const admin = await createActiveUser(t, 'approver', true);
    const auth = await bearer(admin);
    for (let round = 0; round < ROUNDS; round++) {
      const pending = await register(t, newCredentials('waiting')).expect(201);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.http.post(`/api/admin/users/${pending.body.id}/approve`).set(auth).send({ approved: true }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 400)).toHaveLength(19);
      const audits = await t.sql(`SELECT 1 FROM audit_events WHERE event_type = 'admin_user_approved' AND target_id = $1`, [
        pending.body.id,
      ]);
      expect(audits).toHaveLength(1);
    }
  });

  it('parallel deletes of one user: exactly one success, the rest 404, one audit row, one archive', async () => {
    const admin = await createActiveUser(t, 'deleter', true);
    const auth = await bearer(admin);
    for (let round = 0; round < ROUNDS; round++) {
      const victim = await createActiveUser(t, 'victim');
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => t.http.delete(`/api/admin/users/${victim.id}`).set(auth)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 404, 404, 404, 404, 404, 404, 404]);
      const audits = await t.sql(`SELECT 1 FROM audit_events WHERE event_type = 'admin_user_deletion' AND target_id = $1`, [
        victim.id,
      ]);
      expect(audits).toHaveLength(1);
    }
  });
});
