import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { ADMIN_URL_ENV, createTestDatabase } from '../setup/test-database';
import { freePort, MAIN_JS, SpawnedServer, spawnServer } from '../utils/spawn-server';

/**
 * A start that cannot succeed stops with exit code 1 and one structured error line naming the
 * cause (docs/API.md §16 Operations routes): every line is JSON from the root logger, none coloured.
 */
interface LogLine {
  level: number;
  msg: string;
  code?: string;
  context?: string;
}

/** The escape that starts every colour code of a terminal logger. */
const ANSI = String.fromCharCode(27) + '[';

/** The exit, or `running` when the server is still up after `ms` (then it is killed). */
async function exitWithin(
  server: SpawnedServer,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    server.exited,
    new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), ms))),
  ]);
  clearTimeout(timer);
  if (result === 'running') {
    server.process.kill('SIGKILL');
    await server.exited;
  }
  return result;
}

/** Every line parsed as JSON (the test fails on the first that is not), and the error lines among them. */
function logLines(output: string): { lines: LogLine[]; errors: LogLine[] } {
  expect(output).not.toContain(ANSI);
  const lines = output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}\n--- whole output:\n${output}`);
      }
    });
  return { lines, errors: lines.filter((line) => line.level >= 50) };
}

describe('start-up failures of the built server (e2e)', () => {
  const dirs: string[] = [];
  let database: { url: string; drop: () => Promise<void> };
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-startfail-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>) =>
    spawnServer({ JWT_SECRET: 'a-test-secret-long-enough-for-hs256-0123456789', HOST: '127.0.0.1', PORT: '0', ...env });

  // Root ignores permission bits, so the folder is made unusable otherwise: a file system that
  // refuses new entries (/proc; the server started and answered 503 to every sign-up), a dangling
  // link where DATA_DIR/users belongs (it started, even ready, and every sign-up failed), a regular
  // file where a folder must be.
  it.each([
    ['DATA_DIR cannot be created (under /proc)', () => `/proc/gatehouse-data-${process.pid}`, 'ENOENT'],
    [
      'DATA_DIR/users is a dangling link',
      (dir: string) => {
        mkdirSync(path.join(dir, 'data'));
        symlinkSync(path.join(dir, 'gone'), path.join(dir, 'data', 'users'));
        return path.join(dir, 'data');
      },
      'ENOENT',
    ],
    [
      'DATA_DIR is a regular file',
      (dir: string) => {
        writeFileSync(path.join(dir, 'data'), 'x');
        return path.join(dir, 'data');
      },
      'EEXIST',
    ],
    [
      'DATA_DIR/users is a regular file',
      (dir: string) => {
        mkdirSync(path.join(dir, 'data'));
        writeFileSync(path.join(dir, 'data', 'users'), 'x');
        return path.join(dir, 'data');
      },
      'EEXIST',
    ],
  ])('%s: exit code 1 and one JSON error line naming DATA_DIR, with an external DATABASE_URL', async (_case, spoil, code) => {
    const dataDir = spoil(tempDir());
    const server = start({ DATABASE_URL: database.url, DATA_DIR: dataDir });
    expect(await exitWithin(server, 30_000)).toEqual({ code: 1, signal: null });
    const { lines, errors } = logLines(server.output());
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/^start-up failed: DATA_DIR is not usable: cannot create a file in /);
    expect(errors[0].msg).toContain(dataDir);
    expect(errors[0].code).toBe(code);
    // Nothing else was attempted: no Nest line, no database.
    expect(lines.filter((line) => line.context !== 'Gatehouse')).toEqual([]);
  });

  it('an unreachable database: one warning per retry for DATABASE_WAIT_SECONDS, then one JSON error line', async () => {
    const port = await freePort();
    const started = Date.now();
    const server = start({
      DATABASE_URL: `postgres://gatehouse:secret-pw@127.0.0.1:${port}/gatehouse`,
      DATA_DIR: tempDir(),
      DATABASE_WAIT_SECONDS: '2',
    });
    expect(await exitWithin(server, 30_000)).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const { lines, errors } = logLines(server.output());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED', context: 'Gatehouse' });
    expect(errors[0].msg).toMatch(
      new RegExp(`^start-up failed: database 127\\.0\\.0\\.1:${port}/gatehouse is unreachable: .*ECONNREFUSED`),
    );
    const retries = lines.filter((line) => line.level === 40);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const retry of retries) expect(retry.msg).toMatch(/is not reachable yet .*retrying in/);
    // The password never reaches the log.
    expect(server.output()).not.toContain('secret-pw');
  });

  it('a database that refuses the login fails at once, without retries, in one JSON error line', async () => {
    const admin = new URL(process.env[ADMIN_URL_ENV]!);
    admin.username = 'gatehouse_no_such_role';
    admin.password = 'wrong';
    const started = Date.now();
    const server = start({ DATABASE_URL: admin.toString(), DATA_DIR: tempDir(), DATABASE_WAIT_SECONDS: '60' });
    expect(await exitWithin(server, 30_000)).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeLessThan(20_000);
    const { lines, errors } = logLines(server.output());
    expect(lines.filter((line) => line.level === 40)).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/^start-up failed: database .* refused the connection: .*gatehouse_no_such_role/);
  });

  it('a port in use: one JSON error line (not a second one from Nest), exit code 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const server = start({ DATABASE_URL: database.url, DATA_DIR: tempDir(), PORT: String(port) });
      expect(await exitWithin(server, 60_000)).toEqual({ code: 1, signal: null });
      const { errors } = logLines(server.output());
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'EADDRINUSE', context: 'Gatehouse' });
      expect(errors[0].msg).toMatch(/^start-up failed: listen EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('a failing migration (inside Nest): one JSON error line naming it, no coloured Nest output, exit code 1', async () => {
    const broken = await createTestDatabase();
    try {
      // Forget every applied migration: the first one runs again and finds its tables.
      const client = new Client({ connectionString: broken.url });
      await client.connect();
      await client.query('DELETE FROM migrations');
      await client.end();
      const server = start({ DATABASE_URL: broken.url, DATA_DIR: tempDir() });
      expect(await exitWithin(server, 30_000)).toEqual({ code: 1, signal: null });
      const { errors } = logLines(server.output());
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toMatch(/^start-up failed: .*already exists/);
    } finally {
      await broken.drop();
    }
  });
});
