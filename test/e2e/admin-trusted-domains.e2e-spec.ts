import type { TestApp } from '../utils/create-test-app';
import { type ActiveUser, appWithAdmin } from '../utils/users';

/** docs/API.md §10 Administration: trusted domains. */
describe('trusted domains (e2e)', () => {
  let t: TestApp;
  let admin: ActiveUser;
  let adminAuth: { Authorization: string };
  beforeAll(async () => ({ t, admin, adminAuth } = await appWithAdmin()));
  afterAll(() => t.close());

  describe('/api/admin/trusted-domains', () => {
    it('adds a domain in ASCII form, lists it, and audits who added it', async () => {
      const added = await t.http
        .post('/api/admin/trusted-domains')
        .set(adminAuth)
        .send({ domain: 'Bücher.Example', institution: 'Library of Things' })
        .expect(201);
      expect(added.body).toEqual({
        domain: 'xn--bcher-kva.example',
        institution: 'Library of Things',
        created_at: expect.stringMatching(/Z$/),
        created_by: admin.id,
      });
      const list = await t.http.get('/api/admin/trusted-domains').set(adminAuth).expect(200);
      expect(list.body.domains).toContainEqual(added.body);
      const [audit] = await t.sql<{ actor_id: string; target_id: string | null; details: unknown }>(
        `SELECT actor_id, target_id, details FROM audit_events WHERE event_type = 'trusted_domain_added'
          AND details->>'domain' = 'xn--bcher-kva.example'`,
      );
      expect(audit).toEqual({
        actor_id: admin.id,
        target_id: null,
        details: { domain: 'xn--bcher-kva.example', institution: 'Library of Things' },
      });
    });

    it('answers 409 TRUSTED_DOMAIN_EXISTS for a domain there already, in any case or Unicode form', async () => {
      await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain: 'dup-münchen.example' }).expect(201);
      for (const domain of [
        'dup-münchen.example',
        'DUP-MÜNCHEN.EXAMPLE',
        'xn--dup-mnchen-eeb.example',
        'ｄｕｐ-münchen.example',
      ]) {
        const response = await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain }).expect(409);
        expect(response.body).toEqual({ detail: 'Trusted domain already exists', code: 'TRUSTED_DOMAIN_EXISTS' });
      }
      const rows = await t.sql(`SELECT 1 FROM trusted_domains WHERE domain LIKE 'xn--dup-%'`);
      expect(rows).toHaveLength(1);
    });

    it.each([
      { domain: 'localhost', why: 'a single label' },
      { domain: '192.168.0.1', why: 'an IPv4 address' },
      { domain: '[::1]', why: 'an IPv6 address' },
      { domain: '*.example.org', why: 'a wildcard' },
      { domain: 'https://example.org', why: 'a scheme' },
      { domain: 'example.org/path', why: 'a path' },
      { domain: 'example.org:8080', why: 'a port' },
      { domain: 'user@example.org', why: 'an address' },
      { domain: '', why: 'empty' },
      { domain: `${'a'.repeat(60)}.`.repeat(5) + 'org', why: 'longer than 253 characters' },
    ])('answers 422 for $why, which is not a domain', async ({ domain }) => {
      const response = await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain }).expect(422);
      expect(response.body.detail[0].loc).toEqual(['body', 'domain']);
    });

    it('answers 422 for a body without a domain, an unknown field, or a long institution', async () => {
      await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({}).expect(422);
      await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain: 'x.example', wildcard: true }).expect(422);
      await t.http
        .post('/api/admin/trusted-domains')
        .set(adminAuth)
        .send({ domain: 'x.example', institution: 'x'.repeat(301) })
        .expect(422);
      expect(await t.sql(`SELECT 1 FROM trusted_domains WHERE domain = 'x.example'`)).toHaveLength(0);
    });

    it('removes a domain named in Unicode or ASCII form (204), then answers 404', async () => {
      await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain: 'zürich-lab.example' }).expect(201);
      await t.http.post('/api/admin/trusted-domains').set(adminAuth).send({ domain: 'plain-lab.example' }).expect(201);
      const unicode = await t.http
        .delete(`/api/admin/trusted-domains/${encodeURIComponent('ZÜRICH-LAB.example')}`)
        .set(adminAuth);
      expect(unicode.status).toBe(204);
      expect(unicode.text).toBe('');
      await t.http.delete('/api/admin/trusted-domains/plain-lab.example').set(adminAuth).expect(204);
      const again = await t.http.delete('/api/admin/trusted-domains/xn--zrich-lab-q9a.example').set(adminAuth).expect(404);
      expect(again.body).toEqual({ detail: 'Trusted domain not found' });
      await t.http.delete('/api/admin/trusted-domains/not%20a%20domain').set(adminAuth).expect(404);
      const [audit] = await t.sql<{ actor_id: string; details: unknown }>(
        `SELECT actor_id, details FROM audit_events WHERE event_type = 'trusted_domain_removed' AND details->>'domain' = 'xn--zrich-lab-q9a.example'`,
      );
      expect(audit).toEqual({ actor_id: admin.id, details: { domain: 'xn--zrich-lab-q9a.example' } });
      const list = await t.http.get('/api/admin/trusted-domains').set(adminAuth).expect(200);
      expect(list.body.domains.map((d: { domain: string }) => d.domain)).not.toContain('xn--zrich-lab-q9a.example');
    });
  });
});
