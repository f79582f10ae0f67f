import { existsSync } from 'node:fs';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../utils/create-test-app';
import { runOnTerminal } from '../utils/pty';
import { CLI_JS } from '../utils/run-cli';
import { createActiveUser, loginToken } from '../utils/users';

/**
 * The password prompts of the ops CLI on a real (pseudo-)terminal. A person who types the
 * password while the command is still loading (before the prompt appears) must not see it on the
 * screen: echo goes off as soon as the command is known to prompt, and the typed keys are kept for
 * the prompt. The terminal gets its modes back however the command ends.
 */
describe('ops CLI on a terminal (e2e)', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(CLI_JS)) throw new Error(`${CLI_JS} is missing: run npm run build`);
    t = await createTestApp();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TERM: 'xterm',
      DATABASE_URL: t.databaseUrl,
      DATA_DIR: t.dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_POOL_SIZE: '2',
    };
  });

  afterAll(async () => {
    await t?.close();
  });

  const cli = (args: string[], input: string, signal?: NodeJS.Signals) =>
    runOnTerminal({ argv: [process.execPath, CLI_JS, ...args], env, input, signal });

  it('create-superuser: a password typed before the prompt appears is never shown, and is used', async () => {
    const password = 'typed-ahead-Secret-1';
    const result = await cli(
      ['create-superuser', '--username', 'eager', '--email', 'eager@example.org'],
      `${password}\r${password}\r`,
    );
    // Typed while the command was loading: echo was already off, the prompt not yet there.
    expect(result.echoWasOff).toBe(true);
    expect(result.beforeTyping).not.toContain('Password for eager');
    expect(result.transcript).toContain('Password for eager: ');
    expect(result.transcript).toContain('Repeat it: ');
    expect(result.transcript).not.toContain(password);
    expect(result.transcript).toContain("Superuser 'eager' <eager@example.org> created");
    expect(result.code).toBe(0);
    expect(result).toMatchObject({ echoAfter: true, canonicalAfter: true });
    await loginToken(t, 'eager', password);
  });

  it('reset-password: the same, and a mistyped character erased with backspace', async () => {
    const user = await createActiveUser(t, 'hasty');
    const password = 'another-Secret-2';
    const result = await cli(['reset-password', user.username], `${password}x\u007f\r${password}\r`);
    expect(result.echoWasOff).toBe(true);
    expect(result.beforeTyping).not.toContain('New password for');
    expect(result.transcript).toContain(`New password for ${user.username}: `);
    expect(result.transcript).not.toContain(password);
    expect(result.code).toBe(0);
    expect(result).toMatchObject({ echoAfter: true, canonicalAfter: true });
    await loginToken(t, user.username, password);
  });

  it('restores the terminal on a failure, on Ctrl-C typed before the prompt, and on SIGTERM', async () => {
    const unknown = await cli(['reset-password', 'nobody-at-all'], 'never-shown-Secret-3\r');
    expect(unknown.echoWasOff).toBe(true);
    expect(unknown.code).toBe(1);
    expect(unknown.transcript).toContain("no user has the username or email 'nobody-at-all'");
    expect(unknown.transcript).not.toContain('never-shown-Secret-3');
    expect(unknown).toMatchObject({ echoAfter: true, canonicalAfter: true });

    const interrupted = await cli(['create-superuser', '--username', 'quitter', '--email', 'quitter@example.org'], 'abc\u0003');
    expect(interrupted.echoWasOff).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.transcript).not.toContain('abc');
    expect(interrupted).toMatchObject({ echoAfter: true, canonicalAfter: true });

    const terminated = await cli(
      ['create-superuser', '--username', 'stopped', '--email', 'stopped@example.org'],
      'half-typed',
      'SIGTERM',
    );
    expect(terminated.code).toBe(143);
    expect(terminated.transcript).not.toContain('half-typed');
    expect(terminated).toMatchObject({ echoAfter: true, canonicalAfter: true });

    expect(await t.sql(`SELECT 1 FROM users WHERE username IN ('quitter', 'stopped')`)).toEqual([]);
  });
});
