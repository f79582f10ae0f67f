import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../utils/create-test-app';
import { type Identity, jwt, type TokenContext } from '../utils/fuzz/headers-and-tokens';
import { curatedPlans, type Plan, planArb } from '../utils/fuzz/request-plans';
import { type Method, PASSWORD_MARK, type RouteModel, routeModels } from '../utils/fuzz/route-models';
import { declaredRoutes } from '../utils/routes';
import { decodePayload } from '../utils/tokens';
import { createActiveUser, loginToken } from '../utils/users';

/**
 * Property-based fuzzing of every route, in-process through Fastify's inject.
 * Every request must hold:
 *  - no status ≥ 500;
 *  - a rejected request (≥ 400) leaves the rows of `users` and `sessions` and the storage trees
 *    exactly as they were, and an accepted one changes their counts only as its route may
 *    (register +1 user and tree, login +1 session, delete −1 user and tree…). Routes that may not
 *    change rows at all are checked in batches; a changed batch is replayed to name the request;
 *  - errors are JSON with a `detail`; every 401 carries `WWW-Authenticate: Bearer`;
 *  - no response holds a generated password or a password hash.
 * Afterwards the server still answers, the fixture sessions are alive, and no audit row holds a
 * password or a token.
 *
 * FUZZ_SEED=<int> replays a run (failures print it). FUZZ_RUNS=<factor> scales the generated
 * requests. FUZZ_KEEP_GOING=1 lists every bad answer instead of stopping at the first of a route.
 */
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.FUZZ_RUNS ?? '1');
const KEEP_GOING = process.env.FUZZ_KEEP_GOING === '1';
const MIN_REQUESTS = 10_000;
/** Curated + generated + raw; a margin above MIN_REQUESTS whatever the number of routes. */
const TARGET_REQUESTS = 11_000;
/** Cases of the raw-socket test. */
const RAW_CASES = 26;
/** Requests that may not change rows are checked in batches: one fingerprint query per batch. */
const BATCH = 50;

/** The routes whose success changes row counts; everything else must leave users and sessions alone. */
const ROW_CHANGES: Record<string, { users: number; sessions: number | 'fewer or same' }> = {
  'POST /register': { users: 1, sessions: 0 },
  'POST /admin/users': { users: 1, sessions: 0 },
  'POST /login': { users: 0, sessions: 1 },
  'POST /jwt/login': { users: 0, sessions: 1 },
  'DELETE /admin/users/:user_id': { users: -1, sessions: 'fewer or same' },
};

/** Routes that end a user's sessions: the shared admin's own session may be among them. */
const ENDS_SESSIONS = new Set([
  'DELETE /admin/users/:user_id/sessions',
  'DELETE /users/me/sessions/:session_id',
  'POST /users/me/sessions/revoke-others',
]);

const MODELLED = [
  'POST /register',
  'POST /login',
  'POST /jwt/login',
  'POST /jwt/logout',
  'GET /whoami',
  'GET /config',
  'GET /admin/users',
  'GET /admin/stats',
  'GET /admin/pending-approvals',
  'GET /admin/audit-events',
  'GET /admin/audit-events/export',
  'GET /admin/trusted-domains',
  'POST /admin/trusted-domains',
  'POST /admin/users',
  'PUT /admin/users/:user_id',
  'PATCH /admin/users/:user_id',
  'POST /admin/users/:user_id/promote',
  'POST /admin/users/:user_id/demote',
  'POST /admin/users/:user_id/approve',
  'POST /admin/users/bulk-approve',
  'POST /admin/users/:user_id/unlock',
  'DELETE /admin/trusted-domains/:domain',
  'GET /users/me',
  'PATCH /users/me',
  'POST /users/me/password',
  'GET /users/me/sessions',
  'DELETE /users/me/sessions/:session_id',
  'POST /users/me/sessions/revoke-others',
  'POST /forgot-password',
  'POST /request-verify-token',
  'POST /reset-password',
  'POST /verify',
  'GET /admin/users/:user_id/sessions',
  'DELETE /admin/users/:user_id/sessions',
  'DELETE /admin/users/:user_id',
];

interface Snapshot {
  users: number;
  sessions: number;
  /** Directories under DATA_DIR/users. */
  trees: number;
  /** Changes with any insert or delete in either table or any tree made or moved, even when the counts come back level. */
  fingerprint: string;
}

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

const changeOf = (a: Snapshot, b: Snapshot) =>
  `users ${a.users} → ${b.users}, sessions ${a.sessions} → ${b.sessions}, storage trees ${a.trees} → ${b.trees}` +
  (a.users === b.users && a.sessions === b.sessions && a.trees === b.trees ? ' (same counts, other rows)' : '');
const clip = (text: string, max = 300) =>
  text.length <= max ? text : `${text.slice(0, max / 2)}…(${text.length} chars)…${text.slice(-max / 4)}`;
const keyOf = (plan: Plan) => `${plan.method} ${plan.route.path}`;

describe('fuzzing every route (e2e)', () => {
  let t: TestApp;
  let inject: (options: InjectOptions) => Promise<Answer>;
  let tokens: TokenContext;
  let admin: Awaited<ReturnType<typeof createActiveUser>>;
  let plain: Awaited<ReturnType<typeof createActiveUser>>;
  const victims: Array<{ id: string; username: string; email: string; password: string }> = [];
  let routes: RouteModel[] = [];
  let curated: Plan[] = [];
  const stats = {
    generated: 0,
    curated: 0,
    raw: 0,
    replayed: 0,
    /** Routes whose property stopped at its first failure (without FUZZ_KEEP_GOING). */
    stopped: [] as string[],
    byStatus: new Map<string, Map<number, number>>(),
    started: Date.now(),
  };

  // ------------------------------------------------------------------------------------------
  // Row checks: immediate around requests that may change rows, batched for all the others.

  let checkpoint: Snapshot;
  let usersDir = '';
  let pending: Array<{ plan: Plan; context: TokenContext }> = [];
  let logoutPool: Array<{ admin: Identity; user: Identity }> = [];

  const snapshot = async (): Promise<Snapshot> => {
    const [rows] = await t.sql<Snapshot>(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM sessions) AS sessions,
              (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM users) ||
              (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM sessions) AS fingerprint`,
    );
    // A storage tree made for a user that was then refused would be half a user (docs/API.md §14 Per-user storage).
    const trees = existsSync(usersDir) ? readdirSync(usersDir).sort() : [];
    return { ...rows, trees: trees.length, fingerprint: `${rows.fingerprint}/${trees.join(',')}` };
  };

  const materialise = (plan: Plan, context: TokenContext): InjectOptions => {
    const headers: Record<string, string> = { ...plan.headers };
    const authorization = plan.auth.header(context);
    if (authorization !== undefined) headers.authorization = authorization;
    if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
    return {
      method: plan.method,
      url: `/api${plan.path}${plan.query}`,
      headers,
      ...(plan.body !== undefined ? { payload: plan.body } : {}),
    };
  };

  const describeRequest = (plan: Plan, context: TokenContext = tokens) => {
    const request = materialise(plan, context);
    const payload = request.payload as string | undefined;
    return [
      `${request.method} ${clip(String(request.url))}`,
      `  auth: ${plan.auth.name}`,
      `  headers: ${clip(JSON.stringify(request.headers))}`,
      payload === undefined ? '  (no body)' : `  body (${Buffer.byteLength(payload)} bytes): ${clip(JSON.stringify(payload))}`,
    ].join('\n');
  };

  const send = async (plan: Plan, context: TokenContext): Promise<Answer> => {
    const answer = await inject(materialise(plan, context));
    const statuses = stats.byStatus.get(keyOf(plan)) ?? new Map<number, number>();
    statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    stats.byStatus.set(keyOf(plan), statuses);
    return answer;
  };

  /** Sessions made directly in the database, many at once: logout is fuzzed with these, never with the shared ones. */
  const mintSessions = async (userIds: string[], state: 'live' | 'revoked' | 'idle' = 'live'): Promise<Identity[]> => {
    const rows = await t.sql<{ id: string; user_id: string; at: number }>(
      `INSERT INTO sessions (user_id, created_at, last_seen_at, revoked_at)
       SELECT u, now() - $2::interval, now() - $2::interval, CASE WHEN $3::boolean THEN now() END FROM unnest($1::uuid[]) AS u
       RETURNING id, user_id, extract(epoch FROM created_at)::int AS at`,
      [userIds, state === 'idle' ? '30 minutes' : '0 seconds', state === 'revoked'],
    );
    return rows.map((row) => ({
      token: jwt(
        { alg: 'HS256', typ: 'JWT' },
        { sub: row.user_id, sid: row.id, iat: row.at, exp: row.at + 3600 },
        TEST_JWT_SECRET,
      ),
      sub: row.user_id,
      sid: row.id,
    }));
  };

  /** Checks the batch of requests that may not change rows; on a change, replays it one by one to name the culprit. */
  const flush = async (): Promise<string | null> => {
    if (pending.length === 0) return null;
    const batch = pending;
    pending = [];
    const before = checkpoint;
    checkpoint = await snapshot();
    if (checkpoint.fingerprint === before.fingerprint) return null;
    const change = changeOf(before, checkpoint);
    for (const { plan, context } of batch) {
      const ahead = await snapshot();
      const answer = await send(plan, context);
      stats.replayed += 1;
      const after = await snapshot();
      if (after.fingerprint !== ahead.fingerprint) {
        checkpoint = after;
        return `▷ ${keyOf(plan)} — rows changed in a batch of requests that may not change them; replayed one by one, this one does: ${change}\n${describeRequest(plan, context)}\n  → ${answer.statusCode} ${clip(answer.body, 400)}`;
      }
    }
    checkpoint = await snapshot();
    return `▷ (a batch) — rows changed in a batch of ${batch.length} requests that may not change them, not reproduced one by one: ${change}\n${batch
      .map(({ plan, context }) => describeRequest(plan, context))
      .join('\n')}`;
  };

  /** Between requests only: fixture work that changes rows starts a new checkpoint. */
  const fixtureWork = async <T>(work: () => Promise<T>): Promise<T> => {
    const problem = await flush();
    if (problem) throw new Error(problem);
    const result = await work();
    checkpoint = await snapshot();
    return result;
  };

  const logoutContext = async (): Promise<TokenContext> => {
    if (logoutPool.length === 0) {
      logoutPool = await fixtureWork(async () => {
        const minted = await mintSessions(Array.from({ length: 100 }, (_, i) => (i % 2 ? tokens.user.sub : tokens.admin.sub)));
        return Array.from({ length: 50 }, (_, i) => ({ admin: minted[2 * i], user: minted[2 * i + 1] }));
      });
    }
    const fresh = logoutPool.pop() as { admin: Identity; user: Identity };
    return { ...tokens, ...fresh };
  };

  /** After a route ended sessions: a shared identity whose session went with them gets a new one. */
  const renewEndedIdentities = () =>
    fixtureWork(async () => {
      const ended = await t.sql<{ id: string }>('SELECT id FROM sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL', [
        [tokens.admin.sid, tokens.user.sid],
      ]);
      for (const who of ['admin', 'user'] as const) {
        if (ended.some((row) => row.id === tokens[who].sid))
          tokens = { ...tokens, [who]: (await mintSessions([tokens[who].sub]))[0] };
      }
    });

  /** What is wrong with one answer, apart from rows. */
  const answerProblems = (plan: Plan, answer: Answer): string[] => {
    const problems: string[] = [];
    const status = answer.statusCode;
    if (status >= 500) problems.push(`answered ${status}`);
    const contentType = String(answer.headers['content-type'] ?? '');
    if (plan.method !== 'HEAD' && status !== 204) {
      if (status >= 400 && !contentType.startsWith('application/json'))
        problems.push(`error answered as ${contentType || 'no content type'}`);
      if (contentType.startsWith('application/json')) {
        try {
          const body: unknown = JSON.parse(answer.body);
          if (status >= 400 && (body === null || typeof body !== 'object' || !('detail' in body)))
            problems.push('error body without "detail"');
        } catch {
          problems.push('body is not the JSON its content type says');
        }
      }
    }
    if (status === 401 && answer.headers['www-authenticate'] !== 'Bearer') problems.push('401 without WWW-Authenticate: Bearer');
    if (answer.body.includes(PASSWORD_MARK)) problems.push('a generated password is in the response');
    if (/\$argon2(id|i|d)\$|\$2[aby]\$\d\d\$/.test(answer.body)) problems.push('a password hash is in the response');
    return problems;
  };

  /** Sends one request and returns what is wrong (nothing, normally), the request included. */
  const exchange = async (plan: Plan): Promise<string[]> => {
    const context = plan.route.path === '/jwt/logout' ? await logoutContext() : tokens;
    const allowed = ROW_CHANGES[keyOf(plan)];
    const found: string[] = [];
    if (allowed) {
      const batchProblem = await flush();
      if (batchProblem) found.push(batchProblem);
    }
    const answer = await send(plan, context);
    const problems = answerProblems(plan, answer);
    if (ENDS_SESSIONS.has(keyOf(plan)) && answer.statusCode < 300) await renewEndedIdentities();
    if (allowed) {
      const before = checkpoint;
      checkpoint = await snapshot();
      const ok =
        answer.statusCode >= 300
          ? checkpoint.fingerprint === before.fingerprint
          : checkpoint.users - before.users === allowed.users &&
            checkpoint.trees - before.trees === allowed.users &&
            (allowed.sessions === 'fewer or same'
              ? checkpoint.sessions <= before.sessions
              : checkpoint.sessions - before.sessions === allowed.sessions);
      if (!ok) {
        problems.push(`rows changed on a ${answer.statusCode}: ${changeOf(before, checkpoint)}`);
      }
    } else {
      pending.push({ plan, context });
      if (pending.length >= BATCH) {
        const batchProblem = await flush();
        if (batchProblem) found.push(batchProblem);
      }
    }
    if (problems.length)
      found.push(
        `▷ ${keyOf(plan)} — ${problems.join('; ')}\n${describeRequest(plan, context)}\n  → ${answer.statusCode} ${clip(answer.body, 400)}`,
      );
    return found;
  };

  /** Many bad answers of one kind read as one: grouped by route and problem, with the first example. */
  const summarise = (findings: string[]): string => {
    const groups = new Map<string, { count: number; example: string }>();
    for (const finding of findings) {
      const key = finding.split('\n')[0].split(': ')[0];
      const group = groups.get(key) ?? { count: 0, example: finding.split('\n').slice(1).join('\n') };
      group.count += 1;
      groups.set(key, group);
    }
    return [...groups.entries()].map(([key, { count, example }]) => `${key} (×${count}), e.g.\n${example}`).join('\n\n');
  };

  // ------------------------------------------------------------------------------------------
  // Fixtures

  const serverAnswers = async () => (await inject({ method: 'GET', url: '/api/config' })).statusCode === 200;

  const assertFixturesAlive = async (after: string) => {
    expect(await serverAnswers()).toBe(true);
    for (const who of ['admin', 'user'] as const) {
      const answer = await inject({
        method: 'GET',
        url: '/api/whoami',
        headers: { authorization: `Bearer ${tokens[who].token}` },
      });
      expect({ after, who, status: answer.statusCode }).toEqual({ after, who, status: 200 });
    }
  };

  /** The admin and at least four other users for path ids; routes delete some of them. */
  const liveIds = async (): Promise<string[]> =>
    fixtureWork(async () => {
      const alive = await t.sql<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::uuid[])', [victims.map((v) => v.id)]);
      const ids = alive.map((row) => row.id);
      while (ids.length < 4) {
        const tag = `victim${victims.length}x${Math.random().toString(36).slice(2, 7)}`;
        const credentials = { username: tag, email: `${tag}@example.org`, password: `${PASSWORD_MARK}${tag}-secret` };
        const response = await t.http.post('/api/register').send(credentials).expect(201);
        victims.push({ id: response.body.id as string, ...credentials });
        ids.push(response.body.id as string);
      }
      return [admin.id, ...ids];
    });

  /** Routes from the controllers, plus operational routes that may be plain Fastify routes. */
  const discoverRoutes = async (): Promise<string[]> => {
    const found = declaredRoutes(t.app).map(({ method, path }) => `${method} ${path}`);
    for (const route of ['/health/live', '/health/ready', '/metrics', '/openapi.json', '/openapi.yaml', '/docs']) {
      if (!found.includes(`GET ${route}`) && (await inject({ method: 'GET', url: `/api${route}` })).statusCode !== 404)
        found.push(`GET ${route}`);
    }
    return found;
  };

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
      LOCKOUT_THRESHOLD: '1000',
    });
    usersDir = path.join(t.dataDir, 'users');
    const fastify = t.app.getHttpAdapter().getInstance();
    inject = async (options) => {
      const response = await fastify.inject(options);
      return { statusCode: response.statusCode, headers: response.headers, body: response.body };
    };
    admin = await createActiveUser(t, 'admin', true);
    plain = await createActiveUser(t, 'plain');
    const identity = (token: string): Identity => {
      const { sub, sid } = decodePayload(token) as { sub: string; sid: string };
      return { token, sub, sid };
    };
    tokens = {
      admin: identity(await loginToken(t, admin.username, admin.password)),
      user: identity(await loginToken(t, plain.username, plain.password)),
      secret: TEST_JWT_SECRET,
      revokedSid: (await mintSessions([plain.id], 'revoked'))[0].sid,
      idleSid: (await mintSessions([plain.id], 'idle'))[0].sid,
    };
    checkpoint = await snapshot();
    const ids = await liveIds();
    const discovered = await discoverRoutes();
    const models = routeModels({ admin, victims }, ids).filter((route) => discovered.includes(`${route.method} ${route.path}`));
    const modelled = new Set(models.map((route) => `${route.method} ${route.path}`));
    // A route nobody modelled yet (operations, docs, anything new) is fuzzed with generic bodies and queries.
    const generic = discovered
      .filter((line) => !modelled.has(line))
      .map((line): RouteModel => ({ method: line.split(' ')[0] as Method, path: line.split(' ')[1], weight: 1.5 }));
    routes = [...models, ...generic];
    curated = curatedPlans(routes, admin.id);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const replayHint = `replay with FUZZ_SEED=${SEED}${SCALE !== 1 ? ` FUZZ_RUNS=${SCALE}` : ''}`;

  /** Generated requests for one route, its share of the target. */
  const fuzz = async (route: RouteModel, index: number) => {
    const totalWeight = routes.reduce((sum, r) => sum + r.weight, 0);
    const budget = Math.max(TARGET_REQUESTS - curated.length - RAW_CASES, 0) * SCALE;
    const numRuns = Math.max(20, Math.ceil((budget * route.weight) / totalWeight));
    const ids = await liveIds();
    const findings: string[] = [];
    const property = fc.asyncProperty(
      planArb(route, ids, (plan) => describeRequest(plan)),
      async (plan) => {
        stats.generated += 1;
        const problems = await exchange(plan);
        if (problems.length === 0) return;
        if (!KEEP_GOING) throw new Error(problems.join('\n'));
        findings.push(...problems);
      },
    );
    const name = `${route.method} ${route.path}`;
    try {
      await fc.assert(property, { seed: (SEED + index) | 0, numRuns, includeErrorInReport: true });
    } catch (error) {
      stats.stopped.push(name);
      throw new Error(`${name} — ${replayHint}\n${(error as Error).message}`);
    }
    const last = await flush();
    if (last) findings.push(last);
    if (findings.length) throw new Error(`${name} — ${replayHint}\n${findings.length} bad answers:\n${summarise(findings)}`);
    await assertFixturesAlive(name);
  };

  it('knows every route of the app', () => {
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(expect.arrayContaining(MODELLED));
  });

  it('answers every hostile body, content type and Authorization header on every route without a 5xx or a change', async () => {
    const findings: string[] = [];
    for (const plan of curated) {
      findings.push(...(await exchange(plan)));
      stats.curated += 1;
    }
    const last = await flush();
    if (last) findings.push(last);
    if (findings.length) throw new Error(`curated requests: ${findings.length} bad answers\n${summarise(findings)}`);
    await assertFixturesAlive('curated requests');
  }, 300_000);

  it.each(MODELLED)(
    'answers generated requests to %s without a 5xx or a change (property)',
    async (key) => {
      const index = routes.findIndex((route) => `${route.method} ${route.path}` === key);
      if (index < 0) throw new Error(`${key} is no longer a route of the app: update the fuzz models`);
      await fuzz(routes[index], index);
    },
    300_000,
  );

  it('answers generated requests to the routes without a model (operations, docs, new routes)', async () => {
    for (const [index, route] of routes.entries()) {
      if (!MODELLED.includes(`${route.method} ${route.path}`)) await fuzz(route, index);
    }
  }, 300_000);

  it('handles raw HTTP on a real socket: traversal, bad bytes, smuggling, oversized headers', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const auth = `Authorization: Bearer ${tokens.admin.token}\r\n`;
    const raw = (text: string) =>
      new Promise<{ status: number | null; head: string; body: string }>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.setTimeout(3_000, () => socket.destroy());
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('error', reject);
        socket.on('close', () => {
          const received = Buffer.concat(chunks).toString('latin1');
          const [head, ...rest] = received.split('\r\n\r\n');
          const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
          resolve({ status: match ? Number(match[1]) : null, head, body: rest.join('\r\n\r\n') });
        });
        socket.end(Buffer.from(text, 'latin1'));
      });
    const get = (target: string, headers = auth) => `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`;
    const post = (target: string, type: string, body: string, extra = '') =>
      `POST ${target} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${extra}Connection: close\r\n\r\n${body}`;
    const cases: Array<[string, string]> = [
      ['dot segments', get('/api/admin/users/../../../etc/passwd')],
      ['dot segments to the root', get('/api/../../../../etc/passwd')],
      ['encoded dot segments', get('/api/admin/users/..%2f..%2fetc%2fpasswd')],
      [
        'encoded dots, DELETE',
        `DELETE /api/admin/users/%2e%2e%2f%2e%2e%2f HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
      ],
      ['NUL in the id', get('/api/admin/users/..%00')],
      ['raw bytes in the path', get('/api/admin/users/\xff\xfe')],
      ['double slashes', get('/api//admin//users')],
      ['NUL in the query', get('/api/admin/users?q=%00')],
      ['raw UTF-8 in the query', get('/api/admin/users?q=\xc3\xa9')],
      ['absolute-form target', get('http://evil.example/api/config')],
      ['asterisk target', get('*')],
      ['unknown method', 'FOO /api/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['HTTP/1.0 without Host', `GET /api/whoami HTTP/1.0\r\n${auth}\r\n`],
      ['two Authorization headers', get('/api/whoami', `${auth}Authorization: Bearer garbage\r\n`)],
      ['obs-text token', get('/api/whoami', 'Authorization: Bearer \xff\xfe\xfd\r\n')],
      ['NUL in a header', get('/api/whoami', 'Authorization: Bearer a\x00b\r\n')],
      ['20 KB header', get('/api/whoami', `Authorization: Bearer ${'A'.repeat(20_000)}\r\n`)],
      [
        'invalid UTF-8 in JSON',
        post('/api/register', 'application/json', '{"email":"\xff@x.org","username":"\xc3","password":"\xed\xa0\x80aaaaaaaa"}'),
      ],
      ['invalid UTF-8 in a form', post('/api/jwt/login', 'application/x-www-form-urlencoded', 'username=\xff&password=\xfe')],
      ['Content-Length and chunked', post('/api/login', 'application/json', '{}', 'Transfer-Encoding: chunked\r\n')],
      [
        'bad chunk',
        'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ],
      [
        'body shorter than Content-Length',
        'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\nConnection: close\r\n\r\n{"a":',
      ],
      [
        'negative Content-Length',
        'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}',
      ],
      ['Expect: 100-continue', post('/api/login', 'application/json', '{}', 'Expect: 100-continue\r\n')],
      [
        'gzip that is not gzip',
        post('/api/login', 'application/json', '{"username_or_email":"a","password":"b"}', 'Content-Encoding: gzip\r\n'),
      ],
      ['pipelined', `${get('/api/config').replace('Connection: close\r\n', '')}${get('/api/admin/stats')}`],
    ];
    expect(cases).toHaveLength(RAW_CASES);
    const problems: string[] = [];
    await flush();
    for (const [name, text] of cases) {
      const before = await snapshot();
      const { status, head, body } = await raw(text);
      stats.raw += 1;
      const after = await snapshot();
      if (status !== null && status >= 500) problems.push(`${name}: ${status} ${clip(body)}`);
      if (after.fingerprint !== before.fingerprint) problems.push(`${name}: rows changed`);
      // Answers from the app itself (not from Node's HTTP parser) keep the JSON error shape.
      if (status !== null && status >= 400 && /x-request-id/i.test(head) && !body.includes('"detail"'))
        problems.push(`${name}: ${status} without detail: ${clip(body)}`);
    }
    checkpoint = await snapshot();
    expect(problems).toEqual([]);
    expect(await serverAnswers()).toBe(true);
    expect((await raw(get('/api/config', ''))).status).toBe(200);
  }, 60_000);

  it(`sent at least ${MIN_REQUESTS} requests, left the server up and no secret in the audit trail`, async () => {
    await assertFixturesAlive('everything');
    // token_rejected and login_failed rows are written detached from the request: let them land.
    let previous = -1;
    for (let i = 0; i < 50; i++) {
      const [{ n }] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
      if (n === previous) break;
      previous = n;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const secrets = [
      PASSWORD_MARK,
      admin.password,
      plain.password,
      tokens.admin.token.split('.')[2],
      tokens.user.token.split('.')[2],
      TEST_JWT_SECRET,
    ];
    for (const secret of secrets) {
      const [{ n }] = await t.sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM audit_events a WHERE strpos(row_to_json(a)::text, $1) > 0',
        [secret],
      );
      expect({ secret: clip(secret, 12), rows: n }).toEqual({ secret: clip(secret, 12), rows: 0 });
    }
    const total = stats.generated + stats.curated + stats.raw;
    const seconds = ((Date.now() - stats.started) / 1000).toFixed(1);
    const statuses = [...stats.byStatus.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([route, counts]) =>
          `${route}: ${[...counts.entries()]
            .sort(([a], [b]) => a - b)
            .map(([status, n]) => `${status}×${n}`)
            .join(' ')}`,
      );
    console.log(
      `fuzz: ${total} requests (${stats.generated} generated, ${stats.curated} curated, ${stats.raw} raw socket` +
        `${stats.replayed ? `, ${stats.replayed} replayed` : ''}) in ${seconds} s, FUZZ_SEED=${SEED}\n${statuses.join('\n')}`,
    );
    // A route stopped at its first failure has already failed the suite; the count is for a clean run.
    if (stats.stopped.length === 0) expect(total).toBeGreaterThanOrEqual(MIN_REQUESTS);
  });
});
