import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, MAIN_JS, spawnServer } from '../utils/spawn-server';

/** The PostgreSQL processes of a DATA_DIR (pg_ctl starts the postmaster outside the server's process tree). */
function postgresOf(dataDir: string): string {
  try {
    return execFileSync('pgrep', ['-f', path.join(dataDir, 'postgres')], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Runs the built server as `npm start` does: these tests need `npm run build` first (npm test does it). */
describe('the built server process (e2e)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
  });

  it('with no DATABASE_URL, starts an embedded PostgreSQL under DATA_DIR, serves, and stops it on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-embedded-'));
    // mkdtemp makes 0700; the server runs PostgreSQL as user postgres, which must reach DATA_DIR.
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    const server = spawnServer({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    try {
      await server.waitFor(/Swagger UI at http:\/\/127\.0\.0\.1:\d+\/api\/docs/, 60_000);
      expect(server.output()).toContain(`API at http://127.0.0.1:${port}/api`);
      const base = `http://127.0.0.1:${port}/api`;
      const credentials = { email: 'first@example.org', username: 'first', password: 'first-password-1' };
      const registered = await fetch(`${base}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      expect(registered.status).toBe(201);
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username_or_email: 'first', password: credentials.password }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const me = await fetch(`${base}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({ username: 'first', is_superuser: true });
      expect((await fetch(`${base}/docs`)).status).toBe(200);
      // The generated signing secret is kept with mode 0600.
      expect(statSync(path.join(dataDir, '.jwt-secret')).mode & 0o777).toBe(0o600);
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

      server.process.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(postgresOf(dataDir)).toBe('');
    } finally {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a SIGTERM while the embedded PostgreSQL starts stops it once it is up; more signals while stopping change nothing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-early-signal-'));
    chmodSync(dataDir, 0o755);
    const server = spawnServer({ DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' });
    try {
      await server.waitFor(/starting the embedded PostgreSQL/, 60_000);
      server.process.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.process.kill('SIGINT');
      server.process.kill('SIGHUP');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).not.toContain('Gatehouse is listening');
      expect(server.output().match(/received: finishing in-flight requests/g)).toHaveLength(1);
      expect(postgresOf(dataDir)).toBe('');
    } finally {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
      // The server would have left it running: stop it here rather than leave it behind.
      for (const pid of postgresOf(dataDir).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGQUIT');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ SESSION_IDLE_TIMEOUT_SECONDS: '-5' }, 'SESSION_IDLE_TIMEOUT_SECONDS'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
  ])('refuses to start with %j: exit code 1 and one line naming the variable', async (env, variable) => {
    const server = spawnServer({ DATA_DIR: path.join(tmpdir(), 'gatehouse-never-used'), ...env });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable}: `));
  });
});
