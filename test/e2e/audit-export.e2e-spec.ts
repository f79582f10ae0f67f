import * as http from 'node:http';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { eventually } from '../utils/eventually';
import { createActiveUser, loginToken, newCredentials, register } from '../utils/users';

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

interface EventView {
  id: number;
  at: string;
  event_type: string;
  actor_id: string | null;
  actor_username: string | null;
  target_id: string | null;
  target_username: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

/** docs/API.md §10 Administration: GET /admin/audit-events/export. */
describe('audit export (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;
  let adminAuth: { Authorization: string };
  let formula: { id: string; username: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createActiveUser(t, 'admin', true);
    adminAuth = { Authorization: `Bearer ${await loginToken(t, admin.username, admin.password)}` };
    // A username and a user agent that a spreadsheet would run, and CSV's special characters.
    const credentials = { ...newCredentials('f'), username: `=HYPERLINK("http://x.example/?a,b")` };
    formula = { id: (await register(t, credentials).expect(201)).body.id, username: credentials.username };
    await t.http
      .post('/api/login')
      .set('User-Agent', '@evil, "quoted"\tagent')
      .send({ username_or_email: 'nobody', password: 'wrong-password' })
      .expect(401);
    // login_failed is written beside the answer, not before it.
    await eventually(async () => {
      expect(await t.sql(`SELECT 1 FROM audit_events WHERE event_type = 'login_failed'`)).toHaveLength(1);
    });
    await t.http
      .post(`/api/admin/users/${formula.id}/approve`)
      .set(adminAuth)
      .send({ approved: true, reason: '-1+1' })
      .expect(200);
  });
  afterAll(() => t.close());

  const list = async (query: Record<string, string> = {}): Promise<EventView[]> =>
    (
      await t.http
        .get('/api/admin/audit-events')
        .query({ ...query, limit: '1000' })
        .set(adminAuth)
        .expect(200)
    ).body.events;
  const exported = (query: Record<string, string>) => t.http.get('/api/admin/audit-events/export').query(query).set(adminAuth);

  it('streams CSV as an attachment: header row, RFC 4180 quoting, details as JSON, formulas neutralised', async () => {
    const before = await list();
    const response = await exported({ format: 'csv' })
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="audit-events-\d{8}T\d{6}Z\.csv"$/);
    const [header, ...rows] = parseCsv(response.body as string);
    expect(header).toEqual([
      'id',
      'at',
      'event_type',
      'actor_id',
      'actor_username',
      'target_id',
      'target_username',
      'ip',
      'user_agent',
      'details',
    ]);
    // Every event, newest first, as the list route shows them (the export started after that list).
    expect(rows.map((row) => Number(row[0]))).toEqual(before.map((event) => event.id));
    const unformula = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
    for (const [index, row] of rows.entries()) {
      const event = before[index];
      expect(row.slice(1, 9).map(unformula)).toEqual(
        [
          event.at,
          event.event_type,
          event.actor_id,
          event.actor_username,
          event.target_id,
          event.target_username,
          event.ip,
          event.user_agent,
        ].map((value) => value ?? ''),
      );
      expect(JSON.parse(row[9])).toEqual(event.details);
    }
    const approval = rows.find((row) => row[2] === 'admin_user_approved' && row[5] === formula.id)!;
    expect(approval[6]).toBe(`'${formula.username}`);
    const agent = rows.find((row) => row[2] === 'login_failed')!;
    expect(agent[8]).toBe(`'@evil, "quoted"\tagent`);
    expect(JSON.parse(approval[9])).toEqual({ reason: '-1+1' });
  });

  it('streams NDJSON: one event object per line, the objects of the list route, filters applied', async () => {
    const query = { event_type: 'admin_user_approved', target_id: formula.id.replace(/-/g, '') };
    const response = await exported({ format: 'ndjson', ...query })
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="audit-events-\d{8}T\d{6}Z\.ndjson"$/);
    const text = response.body as string;
    expect(text.endsWith('\n')).toBe(true);
    const events = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventView);
    expect(events).toEqual(await list(query));
    expect(events).toHaveLength(1);
  });

  it('records audit_exported with the format and the filters when the export starts', async () => {
    await exported({ format: 'ndjson', event_type: 'logout', since: '2026-01-01' }).expect(200);
    const [event] = await list({ event_type: 'audit_exported' });
    expect(event).toMatchObject({
      actor_id: admin.id,
      target_id: null,
      details: { format: 'ndjson', filters: { event_type: 'logout', since: '2026-01-01' } },
    });
  });

  it.each([
    [{}],
    [{ format: 'xml' }],
    [{ format: 'CSV' }],
    [{ format: 'csv', limit: '10' }],
    [{ format: 'csv', cursor: 'abc' }],
    [{ format: 'csv', event_type: 'made_up' }],
    [{ format: 'csv', actor_id: 'x' }],
    [{ format: 'csv', since: 'yesterday' }],
    [{ format: 'csv', until: '2026-13-45' }],
  ])('answers 400 for %j, as the list route does, and records nothing', async (query) => {
    const before = (await list({ event_type: 'audit_exported' })).length;
    const response = await exported(query as Record<string, string>).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.detail).toBeDefined();
    expect(await list({ event_type: 'audit_exported' })).toHaveLength(before);
  });

  it('gives the database connection back when the client goes away mid-stream', async () => {
    // Enough rows that the export cannot be sent before the client leaves; the pool holds 5 connections.
    await t.sql(
      `INSERT INTO audit_events (event_type, details, user_agent)
       SELECT 'login_failed', jsonb_build_object('reason', 'bad_password', 'n', g), repeat('x', 400) FROM generate_series(1, 50000) g`,
    );
    await t.app.listen(0, '127.0.0.1');
    const base = await t.app.getUrl();
    for (let i = 0; i < 7; i++) {
      // The client reads one chunk, then closes its connection.
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${base}/api/admin/audit-events/export?format=csv`, { headers: adminAuth, agent: false }, (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
      });
    }
    await eventually(async () => {
      const [{ n }] = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(n).toBe(0);
    }, 10_000);
    // More exports than the pool has connections have come and gone: the pool still serves.
    await t.http.get('/api/admin/stats').set(adminAuth).expect(200);
  });
});
