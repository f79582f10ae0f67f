import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { eventually } from '../utils/eventually';
import {
  Answer,
  call,
  createFaultFixture,
  FaultFixture,
  logLines,
  postJson,
  RunningServer,
  startServer,
  treeProblems,
  treesOnDisk,
} from '../utils/fault-server';
import { MAIN_JS } from '../utils/spawn-server';

/**
 * Faults against the built server (`dist/main.js`, so `npm run build` first): the database going
 * away under load, storage that cannot be written, and SIGKILL in the middle of registrations.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longer than any answer should take, even on a loaded machine; an answer later than this is a hang. */
const HANG_MS = 10_000;
const RECOVERY_BOUND_MS = 5_000;

function credentials(tag: string) {
  return { username: tag, email: `${tag}@example.org`, password: `pw-${tag}-long-enough` };
}

/** An answer, or a network error / timeout turned into a pseudo-answer (status 0) so that it is reported, not thrown. */
async function probe(pending: Promise<Answer>): Promise<Answer> {
  try {
    return await pending;
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return {
      status: 0,
      body: { error: `${e.name}: ${e.message} ${e.cause?.message ?? ''}`.trim() },
      requestId: null,
      headers: new Headers(),
    };
  }
}

/** 503 with `code` and the request id in body and header; on anything else, the process's log lines for that request. */
function expectUnavailable(answer: Answer, code: string, server: RunningServer): void {
  if (answer.status !== 503 || answer.body?.code !== code) {
    const id = answer.requestId ?? '(no X-Request-Id)';
    const state = server.alive()
      ? 'running'
      : `exited ${JSON.stringify([server.server.process.exitCode, server.server.process.signalCode])}`;
    if (!answer.requestId) {
      const tail = server.server.output().split('\n').slice(-40).join('\n');
      throw new Error(
        `expected 503 ${code}, got ${answer.status} ${JSON.stringify(answer.body)}; server ${state}; last log lines:\n${tail}`,
      );
    }
    const log = server.server
      .output()
      .split('\n')
      .filter((line) => answer.requestId && line.includes(answer.requestId))
      .join('\n');
    throw new Error(
      `expected 503 ${code}, got ${answer.status} ${JSON.stringify(answer.body)}; server ${state}; log of request ${id}:\n${log}`,
    );
  }
  expect(typeof answer.body.request_id).toBe('string');
  expect(answer.body.request_id.length).toBeGreaterThan(0);
  expect(answer.requestId).toBe(answer.body.request_id);
}

describe('faults (e2e, built server)', () => {
  let fixture: FaultFixture | undefined;
  let running: RunningServer[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
  });

  afterEach(async () => {
    for (const server of running) await server.kill();
    running = [];
    await fixture?.dispose();
    fixture = undefined;
  });

  async function start(f: FaultFixture): Promise<RunningServer> {
    const server = await startServer(f);
    running.push(server);
    return server;
  }

  it('database gone under load: 503 with a request id, not ready, still alive; back within 5 s without a restart', async () => {
    fixture = await createFaultFixture();
    const f = fixture;
    const server = await start(f);
    const { base } = server;

    const admin = credentials(`faultadmin${Date.now().toString(36)}`);
    expect((await postJson(`${base}/register`, admin)).status).toBe(201);
    const login = await postJson(`${base}/login`, { username_or_email: admin.username, password: admin.password });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.access_token as string}` };
    expect((await call(`${base}/health/ready`)).status).toBe(200);

    // The load: more loops on an authenticated route than the pool has connections (10), two on a
    // route that needs no database.
    type Phase = 'up' | 'going' | 'away' | 'returning' | 'back';
    interface Sample {
      route: string;
      startedIn: Phase;
      endedIn: Phase;
      status: number | 'error';
      error?: string;
      code?: unknown;
      bodyRequestId?: unknown;
      headerRequestId?: string | null;
      ms: number;
    }
    let phase: Phase = 'up';
    let loading = true;
    const samples: Sample[] = [];
    const loop = async (route: string, headers: Record<string, string>) => {
      while (loading) {
        const startedIn = phase;
        const t0 = Date.now();
        try {
          const answer = await call(`${base}${route}`, { headers, timeoutMs: HANG_MS });
          samples.push({
            route,
            startedIn,
            endedIn: phase,
            status: answer.status,
            code: answer.body?.code,
            bodyRequestId: answer.body?.request_id,
            headerRequestId: answer.requestId,
            ms: Date.now() - t0,
          });
        } catch (error) {
          const e = error as Error & { cause?: Error };
          samples.push({
            route,
            startedIn,
            endedIn: phase,
            status: 'error',
            error: `${e.name}: ${e.message} ${e.cause?.message ?? ''}`,
            ms: Date.now() - t0,
          });
        }
        await sleep(10);
      }
    };
    const loops = [
      ...Array.from({ length: 12 }, () => loop('/whoami', auth)),
      ...Array.from({ length: 2 }, () => loop('/config', {})),
    ];

    try {
      await sleep(500);

      // Away, at the same address: no new connection is accepted, the existing ones are cut.
      phase = 'going';
      await f.admin(`ALTER DATABASE "${f.databaseName}" WITH ALLOW_CONNECTIONS false`);
      await f.admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        f.databaseName,
      ]);
      await eventually(async () => {
        const [{ n }] = await f.admin<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [
          f.databaseName,
        ]);
        expect(n).toBe(0);
      }, 10_000);
      // 'away' from when the server has seen the database go (readiness fails): from then on no
      // session is served from its cache, which is off while its listener connection is down
      // (docs/API.md §17, SESSION_CACHE_SECONDS). Before, a request may race the listener's own
      // notice of the cut, and is counted as 'going'.
      await eventually(async () => expect((await call(`${base}/health/ready`, { timeoutMs: HANG_MS })).status).toBe(503), 10_000);
      phase = 'away';

      // Everything is observed first and asserted after the database is back, so that a failure
      // still leaves the database reachable and reports the whole picture.
      const outageProbes: Answer[] = [];
      for (let i = 0; i < 5; i += 1)
        outageProbes.push(await probe(call(`${base}/whoami`, { headers: auth, timeoutMs: HANG_MS })));
      const loginAway = await probe(
        postJson(`${base}/login`, { username_or_email: admin.username, password: admin.password }, HANG_MS),
      );
      const registerAway = await probe(postJson(`${base}/register`, credentials(`away${Date.now().toString(36)}`), HANG_MS));
      const readyAway = await probe(call(`${base}/health/ready`, { timeoutMs: HANG_MS }));
      const liveAway = await probe(call(`${base}/health/live`, { timeoutMs: HANG_MS }));
      const configAway = await probe(call(`${base}/config`, { timeoutMs: HANG_MS }));
      const aliveAway = server.alive();
      await sleep(1000);
      const aliveAfterAway = server.alive();

      // Back: the same process must serve again, soon.
      phase = 'returning';
      await f.admin(`ALTER DATABASE "${f.databaseName}" WITH ALLOW_CONNECTIONS true`);
      const back = Date.now();
      let recoveryMs = -1;
      let attempts = 0;
      while (Date.now() - back < 30_000) {
        attempts += 1;
        const answer = await call(`${base}/whoami`, { headers: auth, timeoutMs: HANG_MS }).catch(() => null);
        if (answer?.status === 200) {
          recoveryMs = Date.now() - back;
          break;
        }
        await sleep(25);
      }
      phase = 'back';
      let readyBack = 0;
      await eventually(async () => {
        readyBack = (await call(`${base}/health/ready`, { timeoutMs: HANG_MS })).status;
        expect(readyBack).toBe(200);
      }, 15_000).catch(() => undefined);
      await sleep(1000);
      loading = false;
      await Promise.all(loops);

      const summary: Record<string, Record<string, number>> = {};
      for (const s of samples) {
        const key = `${s.route} ${s.startedIn === s.endedIn ? s.startedIn : `${s.startedIn}->${s.endedIn}`}`;
        summary[key] ??= {};
        summary[key][String(s.status)] = (summary[key][String(s.status)] ?? 0) + 1;
      }
      const unavailable = samples.filter((s) => s.status === 503);
      const maxMs503 = Math.max(0, ...unavailable.map((s) => s.ms));
      console.log(
        `[faults] database back: /api/whoami answered 200 after ${recoveryMs} ms (${attempts} attempt(s)); ` +
          `load: ${samples.length} requests, ${unavailable.length} answered 503 (slowest 503: ${maxMs503} ms); ` +
          `by route and phase: ${JSON.stringify(summary)}; outage probes: whoami ${outageProbes.map((a) => a.status).join(',')}, ` +
          `login ${loginAway.status}, server ${server.alive() ? 'alive' : 'DEAD'}, register ${registerAway.status}, ready ${readyAway.status}, live ${liveAway.status}, config ${configAway.status}`,
      );

      // While away: 503 with the request id in body and header, readiness fails, liveness and the process hold.
      for (const probe of outageProbes) {
        expectUnavailable(probe, 'DATABASE_UNAVAILABLE', server);
        expect(probe.body.detail).toEqual(expect.any(String));
      }
      expectUnavailable(loginAway, 'DATABASE_UNAVAILABLE', server);
      expectUnavailable(registerAway, 'DATABASE_UNAVAILABLE', server);
      expect(readyAway.status).toBe(503);
      expect(readyAway.requestId).toEqual(expect.any(String));
      expect(liveAway.status).toBe(200);
      expect(configAway.status).toBe(200);
      expect([aliveAway, aliveAfterAway]).toEqual([true, true]);

      // Back within the bound, without a restart.
      expect(recoveryMs).toBeGreaterThanOrEqual(0);
      expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      expect(readyBack).toBe(200);

      // The load saw only 200s and 503s (never a 500, a network error or a hang), 503s carried their id.
      expect(samples.filter((s) => s.status === 'error')).toEqual([]);
      expect(samples.filter((s) => s.route === '/whoami' && s.status !== 200 && s.status !== 503)).toEqual([]);
      expect(samples.filter((s) => s.route === '/config' && s.status !== 200)).toEqual([]);
      for (const s of unavailable) {
        expect({ code: s.code, header: s.headerRequestId }).toEqual({ code: 'DATABASE_UNAVAILABLE', header: s.bodyRequestId });
      }
      const whoamiAway = samples.filter((s) => s.route === '/whoami' && s.startedIn === 'away' && s.endedIn === 'away');
      expect(whoamiAway.length).toBeGreaterThan(0);
      expect(whoamiAway.filter((s) => s.status !== 503)).toEqual([]);
      const whoamiBack = samples.filter((s) => s.route === '/whoami' && s.startedIn === 'back');
      expect(whoamiBack.length).toBeGreaterThan(0);
      expect(whoamiBack.filter((s) => s.status !== 200)).toEqual([]);
      expect(
        samples.filter((s) => s.route === '/whoami' && s.startedIn === 'up' && s.endedIn === 'up' && s.status !== 200),
      ).toEqual([]);

      // Every 503 is in the log under its request id: the access line and the error that caused it.
      const lines = logLines(server.server.output());
      for (const probe of outageProbes) {
        const mine = lines.filter((line) => JSON.stringify(line).includes(probe.body.request_id));
        expect(mine).toContainEqual(expect.objectContaining({ request_id: probe.body.request_id, status: 503 }));
        expect(mine.some((line) => Number(line.level) >= 50)).toBe(true);
      }
      expect(lines.some((line) => Number(line.level) >= 60)).toBe(false);

      // Still the same process, and it shuts down cleanly.
      expect(server.alive()).toBe(true);
      server.server.process.kill('SIGTERM');
      expect(await server.server.exited).toEqual({ code: 0, signal: null });
    } finally {
      loading = false;
      await Promise.allSettled(loops);
    }
  }, 180_000);

  it('storage not writable: registration is 503 and leaves no user; the same process serves again once storage is back', async () => {
    fixture = await createFaultFixture();
    const f = fixture;
    const server = await start(f);
    const { base } = server;

    // As root, permissions stop nothing: make DATA_DIR/users a regular file so no tree can be made.
    const usersPath = path.join(f.dataDir, 'users');
    await fs.rm(usersPath, { recursive: true, force: true });
    await fs.writeFile(usersPath, 'not a directory');

    const tag = Date.now().toString(36);
    const first = credentials(`nostore${tag}`);
    const refused = await postJson(`${base}/register`, first, HANG_MS);
    expectUnavailable(refused, 'STORAGE_UNAVAILABLE', server);
    expect(refused.body.detail).toBe('User storage is unavailable');
    expect(refused.headers.get('retry-after')).toBe('5');
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) => postJson(`${base}/register`, credentials(`nostore${tag}b${i}`), HANG_MS)),
    );
    for (const answer of burst) expectUnavailable(answer, 'STORAGE_UNAVAILABLE', server);
    expect(await f.sql('SELECT id FROM users')).toEqual([]);
    expect(await f.sql('SELECT id FROM audit_events')).toEqual([]);
    expect(await fs.readFile(usersPath, 'utf8')).toBe('not a directory');

    const lines = logLines(server.server.output());
    const mine = lines.filter((line) => JSON.stringify(line).includes(refused.body.request_id));
    expect(mine).toContainEqual(expect.objectContaining({ request_id: refused.body.request_id, status: 503 }));
    expect(mine.some((line) => Number(line.level) >= 50)).toBe(true);
    expect(server.alive()).toBe(true);
    expect((await call(`${base}/health/live`)).status).toBe(200);

    // Storage back: the same registration succeeds on the same process, and is the first user.
    await fs.rm(usersPath);
    const accepted = await postJson(`${base}/register`, first, HANG_MS);
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ username: first.username, is_superuser: true });
    expect(await treeProblems(f.dataDir, accepted.body.id)).toEqual([]);
    expect(await treesOnDisk(f.dataDir)).toEqual([accepted.body.id]);
    expect(await f.sql('SELECT id FROM users')).toEqual([{ id: accepted.body.id }]);
    expect(server.alive()).toBe(true);
  }, 120_000);

  it('SIGKILL in the middle of a burst of registrations: after a restart every user has a complete tree, trees without a user are reported and kept', async () => {
    fixture = await createFaultFixture();
    const f = fixture;
    const first = await start(f);

    const BURST = 60;
    const KILL_AFTER = 15;
    const tag = Date.now().toString(36);
    let arrived = 0;
    const killAfter = (answer: Answer) => {
      arrived += 1;
      if (arrived === KILL_AFTER) first.server.process.kill('SIGKILL');
      return answer;
    };
    const outcomes = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const creds = credentials(`burst${tag}n${i}`);
        try {
          const answer = killAfter(await postJson(`${first.base}/register`, creds, 60_000));
          return { creds, status: answer.status as number | 'error', id: answer.body?.id as string | undefined };
        } catch (error) {
          return { creds, status: 'error' as const, id: undefined, error: String((error as Error).message) };
        }
      }),
    );
    expect(await first.server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const answered = outcomes.filter((o) => o.status !== 'error');
    const cut = outcomes.filter((o) => o.status === 'error');
    // The kill came with registrations in flight; those that were answered were all created.
    expect(answered.map((o) => o.status)).toEqual(Array(answered.length).fill(201));
    expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(cut.length).toBeGreaterThan(0);

    // A COMMIT the dead process had already sent may still be finishing: wait until its backends are gone.
    await eventually(async () => {
      const [{ n }] = await f.admin<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [
        f.databaseName,
      ]);
      expect(n).toBe(0);
    }, 30_000);
    const rowsAfterKill = (await f.sql<{ id: string }>('SELECT id FROM users')).map((r) => r.id);
    for (const o of answered) expect(rowsAfterKill).toContain(o.id);

    // Before the restart: one user loses a folder, and a tree that belongs to nobody appears.
    const damaged = answered[0].id as string;
    await fs.rm(path.join(f.dataDir, 'users', damaged, 'graphs'), { recursive: true });
    const planted = randomUUID();
    await fs.mkdir(path.join(f.dataDir, 'users', planted, 'nodes'), { recursive: true });
    await fs.writeFile(path.join(f.dataDir, 'users', planted, 'keep.txt'), 'mine');
    const treesBefore = await treesOnDisk(f.dataDir);
    const orphansBefore = treesBefore.filter((id) => !rowsAfterKill.includes(id));
    expect(orphansBefore).toContain(planted);

    const second = await start(f);
    const rows = (await f.sql<{ id: string }>('SELECT id FROM users')).map((r) => r.id).sort();
    expect(rows).toEqual([...rowsAfterKill].sort());
    const problems = (await Promise.all(rows.map((id) => treeProblems(f.dataDir, id)))).flat();
    expect(problems).toEqual([]);

    // Nothing under users/ was removed, and every tree without a user is named at start-up.
    const treesAfter = await treesOnDisk(f.dataDir);
    expect(treesAfter).toEqual(expect.arrayContaining(treesBefore));
    expect(await fs.readFile(path.join(f.dataDir, 'users', planted, 'keep.txt'), 'utf8')).toBe('mine');
    const messages = logLines(second.server.output()).map((line) => String(line.msg ?? ''));
    const orphanLine = messages.find((m) => /storage tree\(s\) under users\/ belong to no user \(kept, not removed\): /.test(m));
    expect(orphanLine).toBeDefined();
    const reported = (orphanLine as string)
      .split('(kept, not removed): ')[1]
      .split(', ')
      .map((s) => s.trim())
      .sort();
    expect(reported).toEqual(orphansBefore);
    const completedLine = messages.find((m) => /completed the storage tree of \d+ user\(s\): /.test(m));
    expect(completedLine).toContain(damaged);

    // The restarted server serves: a new registration works and gets its tree.
    const after = await postJson(`${second.base}/register`, credentials(`after${tag}`), HANG_MS);
    expect(after.status).toBe(201);
    expect(await treeProblems(f.dataDir, after.body.id)).toEqual([]);
    expect((await call(`${second.base}/health/ready`)).status).toBe(200);

    console.log(
      `[faults] SIGKILL after ${KILL_AFTER} of ${BURST} registrations: ${answered.length} answered 201, ${cut.length} cut off; ` +
        `${rows.length} user rows after the crash; ${orphansBefore.length - 1} tree(s) left by the crash without a user ` +
        `(+1 planted), all reported and kept; completed at start-up: ${completedLine}`,
    );
  }, 180_000);
});
