import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

describe('admin routes (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;
  let adminAuth: { Authorization: string };
  let userAuth: { Authorization: string };
  let plain: Awaited<ReturnType<typeof createActiveUser>>;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createActiveUser(t, 'admin', true);
    adminAuth = { Authorization: `Bearer ${await loginToken(t, admin.username, admin.password)}` };
    plain = await createActiveUser(t, 'plain');
    userAuth = { Authorization: `Bearer ${await loginToken(t, plain.username, plain.password)}` };
  });
  afterAll(() => t.close());

  const call = (method: Method, url: string, auth?: Record<string, string>, body?: unknown) => {
    let req = t.http[method](url);
    if (auth) req = req.set(auth);
    return body === undefined ? req : req.send(body as object);
  };
  const auditRows = (eventType: string, targetId: string) =>
    t.sql<{ actor_id: string; details: Record<string, unknown>; ip: string; user_agent: string }>(
      'SELECT actor_id, details, ip, user_agent FROM audit_events WHERE event_type = $1 AND target_id = $2',
      [eventType, targetId],
    );
  const pendingUser = async () =>
    (await register(t, newCredentials('pending')).expect(201)).body as { id: string; username: string };

  const UNKNOWN = '0f0e0d0c-0b0a-4908-8706-050403020100';
  const ROUTES: Array<{ method: Method; path: string; body?: unknown; withId?: boolean }> = [
    { method: 'get', path: '/api/admin/users' },
    { method: 'post', path: '/api/admin/users', body: { username: 'x1', email: 'x1@example.org', password: 'long-enough-1' } },
    { method: 'put', path: '/api/admin/users/:id', body: { is_active: true }, withId: true },
    { method: 'patch', path: '/api/admin/users/:id', body: { is_active: true }, withId: true },
    { method: 'post', path: '/api/admin/users/:id/promote', body: {}, withId: true },
    { method: 'post', path: '/api/admin/users/:id/demote', body: {}, withId: true },
    { method: 'delete', path: '/api/admin/users/:id', withId: true },
    { method: 'get', path: '/api/admin/stats' },
    { method: 'get', path: '/api/admin/pending-approvals' },
    { method: 'post', path: '/api/admin/users/:id/approve', body: { approved: true }, withId: true },
    { method: 'get', path: '/api/admin/audit-events' },
    { method: 'get', path: '/api/admin/audit-events/export?format=csv' },
    { method: 'post', path: '/api/admin/users/bulk-approve', body: { user_ids: [UNKNOWN], approved: true } },
    { method: 'get', path: '/api/admin/users/:id/sessions', withId: true },
    { method: 'delete', path: '/api/admin/users/:id/sessions', withId: true },
    { method: 'get', path: '/api/admin/trusted-domains' },
    { method: 'post', path: '/api/admin/trusted-domains', body: { domain: 'ladder.example' } },
    { method: 'delete', path: '/api/admin/trusted-domains/ladder.example' },
  ];

  describe.each(ROUTES)('$method $path', ({ method, path: route, body, withId }) => {
    const url = (id: string) => route.replace(':id', id);

    it('401 without a token, 403 for a plain user (and changes nothing)', async () => {
      const before = await t.sql(
        `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM trusted_domains) AS domains,
                (SELECT count(*) FROM sessions WHERE revoked_at IS NULL) AS sessions`,
      );
      const anonymous = await call(method, url(plain.id), undefined, body).expect(401);
      expect(anonymous.body).toEqual({ detail: 'Unauthorized' });
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
      const forbidden = await call(method, url(plain.id), userAuth, body).expect(403);
      expect(forbidden.body).toEqual({ detail: 'Admin access required' });
      expect(
        await t.sql(
          `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM trusted_domains) AS domains,
                  (SELECT count(*) FROM sessions WHERE revoked_at IS NULL) AS sessions`,
        ),
      ).toEqual(before);
    });

    if (withId) {
      it('400 for a malformed id, 404 for an unknown one', async () => {
        for (const bad of ['nope', '1234', `${UNKNOWN}0`, "' OR 1=1 --", '%2e%2e%2fetc']) {
          const response = await call(method, url(encodeURIComponent(bad)), adminAuth, body).expect(400);
          expect(response.body).toEqual({ detail: 'Invalid user ID format' });
        }
        const missing = await call(method, url(UNKNOWN), adminAuth, body).expect(404);
        expect(missing.body).toEqual({ detail: 'User not found' });
        // 32 hex digits without hyphens are accepted (and normalised), as in the original system
        // (docs/API.md §10 Administration).
        await call(method, url(UNKNOWN.replace(/-/g, '').toUpperCase()), adminAuth, body).expect(404);
      });
    }
  });

  describe('GET /api/admin/users', () => {
    it('lists users with the fields of docs/API.md §10 Administration and counts the filtered set', async () => {
      const response = await t.http.get('/api/admin/users').set(adminAuth).expect(200);
      expect(response.body.users.length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(response.body.users[0]).sort()).toEqual(
        [
          'id',
          'username',
          'email',
          'is_active',
          'is_superuser',
          'is_verified',
          'is_approved',
          'approval_status',
          'approval_note',
          'institution',
          'approved_by',
          'approved_at',
          'created_at',
        ].sort(),
      );
      const [counts] = await t.sql<{ total: number; su: number; active: number }>(
        'SELECT count(*)::int AS total, count(*) FILTER (WHERE is_superuser)::int AS su, count(*) FILTER (WHERE is_active)::int AS active FROM users',
      );
      expect(response.body).toMatchObject({
        total: counts.total,
        superusers: counts.su,
        active_users: counts.active,
        next_cursor: null,
      });
      expect(JSON.stringify(response.body)).not.toMatch(/hashed_password|argon2/);
    });

    it('searches username, email and institution case-insensitively, treating % and _ literally', async () => {
      const special = newCredentials('findme');
      await register(t, special, { institution: 'Institute of 100% Testing_Labs' }).expect(201);
      const byName = await t.http.get('/api/admin/users').query({ q: special.username.toUpperCase() }).set(adminAuth).expect(200);
      expect(byName.body.users.map((u: { username: string }) => u.username)).toEqual([special.username]);
      expect(byName.body.total).toBe(1);
      const byInstitution = await t.http.get('/api/admin/users').query({ q: '100% testing_' }).set(adminAuth).expect(200);
      expect(byInstitution.body.users.map((u: { username: string }) => u.username)).toEqual([special.username]);
      const wildcard = await t.http.get('/api/admin/users').query({ q: '%' }).set(adminAuth).expect(200);
      expect(wildcard.body.users.map((u: { username: string }) => u.username)).toEqual([special.username]);
      // Never a match across two fields, even with the character the search index joins them by.
      for (const q of [`${special.username}\x1f${special.email}`, `${special.email}\x1finstitute`]) {
        const across = await t.http.get('/api/admin/users').query({ q }).set(adminAuth).expect(200);
        expect(across.body).toMatchObject({ users: [], total: 0 });
      }
    });

    it('filters by status and is_superuser, and pages with a cursor in every sort order', async () => {
      for (let i = 0; i < 5; i++) await register(t, newCredentials('pager')).expect(201);
      const pending = await t.http.get('/api/admin/users').query({ status: 'pending', limit: 1000 }).set(adminAuth).expect(200);
      expect(pending.body.users.every((u: { approval_status: string }) => u.approval_status === 'pending')).toBe(true);
      expect(pending.body.total).toBe(pending.body.users.length);
      const supers = await t.http.get('/api/admin/users').query({ is_superuser: 'true' }).set(adminAuth).expect(200);
      expect(supers.body.users.map((u: { id: string }) => u.id)).toContain(admin.id);
      expect(supers.body.users.every((u: { is_superuser: boolean }) => u.is_superuser)).toBe(true);

      for (const sort of ['created_at', '-created_at', 'username', '-username', 'email', '-email']) {
        const all = await t.http.get('/api/admin/users').query({ sort, limit: 1000 }).set(adminAuth).expect(200);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: Record<string, string | number> = { sort, limit: 2 };
          if (cursor) query.cursor = cursor;
          const page = await t.http.get('/api/admin/users').query(query).set(adminAuth).expect(200);
          seen.push(...page.body.users.map((u: { id: string }) => u.id));
          cursor = page.body.next_cursor;
        } while (cursor);
        expect(seen).toEqual(all.body.users.map((u: { id: string }) => u.id));
        const key = sort.replace('-', '') as 'created_at' | 'username' | 'email';
        const values = all.body.users.map((u: Record<string, string>) => u[key]);
        const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        if (key !== 'created_at') expect(values).toEqual(sort.startsWith('-') ? sorted.reverse() : sorted);
      }
    });

    it.each([
      [{ limit: '0' }],
      [{ limit: '1001' }],
      [{ limit: 'ten' }],
      [{ status: 'sleeping' }],
      [{ sort: 'password' }],
      [{ is_superuser: 'maybe' }],
      [{ cursor: 'garbage!' }],
      [{ unknown: '1' }],
    ])('answers 400 for a bad query %j', async (query) => {
      const response = await t.http.get('/api/admin/users').query(query).set(adminAuth).expect(400);
      expect(response.body.detail).toBeDefined();
    });

    it('refuses a cursor made for another sort order', async () => {
      const first = await t.http.get('/api/admin/users').query({ sort: 'username', limit: 1 }).set(adminAuth).expect(200);
      await t.http.get('/api/admin/users').query({ sort: 'email', cursor: first.body.next_cursor }).set(adminAuth).expect(400);
    });
  });

  describe('POST /api/admin/users', () => {
    it('creates an approved, active user with a storage tree and an audit row; honours is_superuser', async () => {
      const credentials = newCredentials('made');
      const response = await t.http
        .post('/api/admin/users')
        .set(adminAuth)
        .set('User-Agent', 'admin-console/1.0')
        .send({ ...credentials, is_superuser: true })
        .expect(201);
      expect(response.body).toEqual({
        message: 'User created successfully',
        user: {
          id: expect.any(String),
          username: credentials.username,
          email: credentials.email,
          is_active: true,
          is_superuser: true,
        },
      });
      const [row] = await t.sql<{ approval_status: string; approved_by: string }>(
        'SELECT approval_status, approved_by FROM users WHERE id = $1',
        [response.body.user.id],
      );
      expect(row).toEqual({ approval_status: 'approved', approved_by: admin.id });
      expect(existsSync(path.join(t.dataDir, 'users', response.body.user.id, 'node_registry.json'))).toBe(true);
      const [audit] = await auditRows('admin_user_creation', response.body.user.id);
      expect(audit).toMatchObject({ actor_id: admin.id, user_agent: 'admin-console/1.0', details: { is_superuser: true } });
      await loginToken(t, credentials.username, credentials.password);

      const inactive = await t.http
        .post('/api/admin/users')
        .set(adminAuth)
        .send({ ...newCredentials('off'), is_active: false })
        .expect(201);
      expect(inactive.body.user).toMatchObject({ is_active: false, is_superuser: false });
    });

    it('answers 409 USER_ALREADY_EXISTS for a duplicate, 400 for a weak password, 422 for a bad body', async () => {
      const duplicate = await t.http
        .post('/api/admin/users')
        .set(adminAuth)
        .send({ ...newCredentials(), email: admin.email.toUpperCase() })
        .expect(409);
      expect(duplicate.body).toMatchObject({ code: 'USER_ALREADY_EXISTS' });
      const weak = await t.http
        .post('/api/admin/users')
        .set(adminAuth)
        .send({ ...newCredentials(), password: 'short' })
        .expect(400);
      expect(weak.body.detail.code).toBe('REGISTER_INVALID_PASSWORD');
      await t.http.post('/api/admin/users').set(adminAuth).send({ username: 'nobody' }).expect(422);
      await t.http
        .post('/api/admin/users')
        .set(adminAuth)
        .send({ ...newCredentials(), is_superuser: 'yes' })
        .expect(422);
    });
  });

  describe('PUT and PATCH /api/admin/users/{id}', () => {
    it('updates fields, audits old → new, and deactivation ends the sessions at once', async () => {
      const user = await createActiveUser(t, 'upd');
      const token = await loginToken(t, user.username, user.password);
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
      const renamed = `${user.username}x`;
      const response = await t.http
        .put(`/api/admin/users/${user.id}`)
        .set(adminAuth)
        .send({ username: renamed, is_active: false })
        .expect(200);
      expect(response.body).toEqual({
        message: 'User updated successfully',
        user: { id: user.id, username: renamed, email: user.email, is_active: false, is_superuser: false },
      });
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
      const [audit] = await auditRows('admin_user_update', user.id);
      expect(audit.details).toEqual({
        changes: { username: { old: user.username, new: renamed }, is_active: { old: true, new: false } },
      });
      expect(await auditRows('session_revoked', user.id)).toHaveLength(1);
      await t.http
        .patch(`/api/admin/users/${user.id.replace(/-/g, '')}`)
        .set(adminAuth)
        .send({ is_active: true })
        .expect(200);
      // A field sent as null is left unchanged, as in the original system (docs/API.md §10 Administration).
      const kept = await t.http
        .put(`/api/admin/users/${user.id}`)
        .set(adminAuth)
        .send({ username: null, email: null })
        .expect(200);
      expect(kept.body.user).toMatchObject({ username: renamed, email: user.email, is_active: true });
    });

    it('refuses to demote or deactivate yourself, duplicates (409), and unknown fields (422)', async () => {
      const self = await t.http.put(`/api/admin/users/${admin.id}`).set(adminAuth).send({ is_superuser: false }).expect(400);
      expect(self.body).toEqual({ detail: 'Cannot demote yourself' });
      const off = await t.http.patch(`/api/admin/users/${admin.id}`).set(adminAuth).send({ is_active: false }).expect(400);
      expect(off.body).toEqual({ detail: 'Cannot deactivate yourself' });
      const dup = await t.http.put(`/api/admin/users/${plain.id}`).set(adminAuth).send({ email: admin.email }).expect(409);
      expect(dup.body.code).toBe('USER_ALREADY_EXISTS');
      for (const field of [
        { password: 'new-password-1' },
        { is_approved: true },
        { hashed_password: 'x' },
        { institution: 'x' },
      ]) {
        await t.http.put(`/api/admin/users/${plain.id}`).set(adminAuth).send(field).expect(422);
      }
      const [row] = await t.sql<{ email: string }>('SELECT email FROM users WHERE id = $1', [plain.id]);
      expect(row.email).toBe(plain.email);
    });
  });

  describe('promote and demote', () => {
    it('promotes (seen on the next request) and demotes (admin routes refused on the next request)', async () => {
      const user = await createActiveUser(t, 'climber');
      const auth = { Authorization: `Bearer ${await loginToken(t, user.username, user.password)}` };
      await t.http.get('/api/admin/stats').set(auth).expect(403);
      const promoted = await t.http
        .post(`/api/admin/users/${user.id}/promote`)
        .set(adminAuth)
        .send({ reason: 'runs onboarding' })
        .expect(200);
      expect(promoted.body).toEqual({
        message: `User '${user.username}' promoted to superuser successfully`,
        user: { id: user.id, username: user.username, email: user.email, is_active: true, is_superuser: true },
      });
      expect((await auditRows('admin_user_promotion', user.id))[0].details).toEqual({
        reason: 'runs onboarding',
        changes: { is_superuser: { old: false, new: true } },
      });
      await t.http.get('/api/admin/stats').set(auth).expect(200);
      const again = await t.http.post(`/api/admin/users/${user.id}/promote`).set(adminAuth).expect(400);
      expect(again.body).toEqual({ detail: 'User is already a superuser' });

      const demoted = await t.http.post(`/api/admin/users/${user.id}/demote`).set(adminAuth).send({}).expect(200);
      expect(demoted.body.message).toBe(`User '${user.username}' demoted from superuser successfully`);
      await t.http.get('/api/admin/stats').set(auth).expect(403);
      const notSuper = await t.http.post(`/api/admin/users/${user.id}/demote`).set(adminAuth).expect(400);
      expect(notSuper.body).toEqual({ detail: 'User is not a superuser' });
    });

    it('refuses a body user_id that is not the path, and self-demotion', async () => {
      await t.http.post(`/api/admin/users/${plain.id}/promote`).set(adminAuth).send({ user_id: admin.id }).expect(400);
      const self = await t.http.post(`/api/admin/users/${admin.id}/demote`).set(adminAuth).expect(400);
      expect(self.body).toEqual({ detail: 'Cannot demote yourself' });
    });
  });

  describe('DELETE /api/admin/users/{id}', () => {
    it('deletes, kills sessions, keeps name and email in the audit trail, archives the tree', async () => {
      const user = await createActiveUser(t, 'gone');
      const token = await loginToken(t, user.username, user.password);
      await fs.writeFile(path.join(t.dataDir, 'users', user.id, 'graphs', 'mine.json'), '{"keep":1}');
      const response = await t.http.delete(`/api/admin/users/${user.id}`).set(adminAuth).expect(200);
      expect(response.body).toEqual({ message: `User '${user.username}' deleted successfully` });
      await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
      expect(await t.sql('SELECT 1 FROM users WHERE id = $1', [user.id])).toHaveLength(0);
      expect(await t.sql('SELECT 1 FROM sessions WHERE user_id = $1', [user.id])).toHaveLength(0);
      const [audit] = await auditRows('admin_user_deletion', user.id);
      expect(audit.details).toMatchObject({ deleted_username: user.username, deleted_email: user.email });
      expect(existsSync(path.join(t.dataDir, 'users', user.id))).toBe(false);
      const archived = (await fs.readdir(path.join(t.dataDir, 'deleted'))).filter((name) => name.startsWith(`${user.id}-`));
      expect(archived).toHaveLength(1);
      expect(await fs.readFile(path.join(t.dataDir, 'deleted', archived[0], 'graphs', 'mine.json'), 'utf8')).toBe('{"keep":1}');
      await t.http.delete(`/api/admin/users/${user.id}`).set(adminAuth).expect(404);
    });

    it('refuses to delete yourself', async () => {
      const response = await t.http.delete(`/api/admin/users/${admin.id}`).set(adminAuth).expect(400);
      expect(response.body).toEqual({ detail: 'Cannot delete yourself' });
    });
  });

  describe('stats, pending approvals and approve', () => {
    it('counts users in one answer that matches the table', async () => {
      const response = await t.http.get('/api/admin/stats').set(adminAuth).expect(200);
      const [c] = await t.sql<Record<string, number>>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE is_active)::int AS active, count(*) FILTER (WHERE is_superuser)::int AS su,
                count(*) FILTER (WHERE approval_status = 'pending')::int AS pending, count(*) FILTER (WHERE approval_status = 'rejected')::int AS rejected FROM users`,
      );
      expect(response.body).toEqual({
        total_users: c.total,
        active_users: c.active,
        inactive_users: c.total - c.active,
        superusers: c.su,
        regular_users: c.total - c.su,
        pending_approvals: c.pending,
        rejected_users: c.rejected,
        system_info: { first_user_created: true, has_superusers: true },
      });
    });

    it('lists only pending users, oldest first; approval activates, rejection is its own state', async () => {
      const first = await pendingUser();
      const second = await pendingUser();
      const list = await t.http.get('/api/admin/pending-approvals').set(adminAuth).expect(200);
      const ids = list.body.pending_users.map((u: { id: string }) => u.id);
      expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
      expect(list.body.count).toBe(ids.length);
      expect(Object.keys(list.body.pending_users[0]).sort()).toEqual(
        ['id', 'username', 'email', 'approval_note', 'institution', 'created_at', 'is_active', 'trusted_domain'].sort(),
      );

      const approved = await t.http
        .post(`/api/admin/users/${first.id}/approve`)
        .set(adminAuth)
        .send({ approved: true, reason: 'ok' })
        .expect(200);
      expect(approved.body).toEqual({
        message: `User '${first.username}' approved successfully`,
        user: {
          id: first.id,
          username: first.username,
          email: expect.any(String),
          is_approved: true,
          is_active: true,
          approved_by: admin.id,
          approved_at: expect.any(String),
        },
      });
      const already = await t.http
        .post(`/api/admin/users/${first.id}/approve`)
        .set(adminAuth)
        .send({ approved: true })
        .expect(400);
      expect(already.body).toEqual({ detail: 'User is already approved' });

      const rejected = await t.http
        .post(`/api/admin/users/${second.id}/approve`)
        .set(adminAuth)
        .send({ approved: false, reason: 'unknown lab' })
        .expect(200);
      expect(rejected.body.message).toBe(`User '${second.username}' rejected successfully`);
      expect(rejected.body.user).toMatchObject({ is_approved: false, is_active: false, approved_by: null, approved_at: null });
      const [row] = await t.sql<{ approval_status: string; rejection_reason: string }>(
        'SELECT approval_status, rejection_reason FROM users WHERE id = $1',
        [second.id],
      );
      expect(row).toEqual({ approval_status: 'rejected', rejection_reason: 'unknown lab' });
      const after = await t.http.get('/api/admin/pending-approvals').set(adminAuth).expect(200);
      expect(after.body.pending_users.map((u: { id: string }) => u.id)).not.toContain(second.id);
      expect((await auditRows('admin_user_rejected', second.id))[0].details).toEqual({ reason: 'unknown lab' });
      // A rejected user can still be approved later.
      await t.http.post(`/api/admin/users/${second.id}/approve`).set(adminAuth).send({ approved: true }).expect(200);
    });

    it('answers 422 when `approved` is missing or not a boolean', async () => {
      const user = await pendingUser();
      await t.http.post(`/api/admin/users/${user.id}/approve`).set(adminAuth).send({}).expect(422);
      await t.http.post(`/api/admin/users/${user.id}/approve`).set(adminAuth).send({ approved: 'yes' }).expect(422);
    });
  });

  describe('GET /api/admin/audit-events', () => {
    it('filters by type, actor, target and time, newest first, with cursor pages, and holds no secrets', async () => {
      const user = await pendingUser();
      await t.http.post(`/api/admin/users/${user.id}/approve`).set(adminAuth).send({ approved: true }).expect(200);
      const byTarget = await t.http.get('/api/admin/audit-events').query({ target_id: user.id }).set(adminAuth).expect(200);
      expect(byTarget.body.events.map((e: { event_type: string }) => e.event_type)).toEqual([
        'admin_user_approved',
        'user_registered',
      ]);
      expect(byTarget.body.events[0]).toMatchObject({
        actor_id: admin.id,
        actor_username: admin.username,
        target_id: user.id,
        target_username: user.username,
        ip: expect.any(String),
      });
      const byType = await t.http
        .get('/api/admin/audit-events')
        .query({ event_type: 'admin_user_approved', actor_id: admin.id.replace(/-/g, '') })
        .set(adminAuth)
        .expect(200);
      expect(byType.body.events.every((e: { event_type: string }) => e.event_type === 'admin_user_approved')).toBe(true);
      const future = await t.http
        .get('/api/admin/audit-events')
        .query({ since: '2999-01-01T00:00:00Z' })
        .set(adminAuth)
        .expect(200);
      expect(future.body.events).toEqual([]);

      const all = await t.http.get('/api/admin/audit-events').query({ limit: 1000 }).set(adminAuth).expect(200);
      const paged: number[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string | number> = { limit: 7 };
        if (cursor) query.cursor = cursor;
        const page = await t.http.get('/api/admin/audit-events').query(query).set(adminAuth).expect(200);
        paged.push(...page.body.events.map((e: { id: number }) => e.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(paged).toEqual(all.body.events.map((e: { id: number }) => e.id));
      const text = JSON.stringify(all.body);
      expect(text).not.toMatch(/argon2|\$2[aby]\$|eyJhbGci|password/i);
    });

    it.each([[{ event_type: 'made_up' }], [{ actor_id: 'x' }], [{ since: 'yesterday' }], [{ limit: '0' }], [{ cursor: 'bad' }]])(
      'answers 400 for %j',
      async (query) => {
        await t.http.get('/api/admin/audit-events').query(query).set(adminAuth).expect(400);
      },
    );
  });
});
