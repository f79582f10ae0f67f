import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../utils/spawn-server';

/**
 * `npm start` as a person or a process manager runs it (scripts/start.js): it builds only when
 * dist/ is not current, the signal sent to npm reaches the server, and nothing is left running.
 * The project is copied to a temporary folder (node_modules linked), so that its build does not
 * touch the dist/ the other tests run.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PROJECT_FILES = [
  'src',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stamp = require('../../scripts/build-stamp.js') as {
  staleReason(root: string): string | undefined;
  writeStamp(root: string): void;
};

function copyProject(into: string): void {
  for (const entry of PROJECT_FILES) cpSync(path.join(ROOT, entry), path.join(into, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'));
}

/** Every process below `pid`, nearest first, from ps. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
const environment = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PostgreSQL processes of a DATA_DIR (pg_ctl starts the postmaster outside our process tree). */
function postgresOf(dataDir: string): string {
  try {
    return execFileSync('pgrep', ['-f', path.join(dataDir, 'postgres')], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  launcher: number;
  server: number;
  /** Every process below npm once the server answered. */
  tree: number[];
}

describe('npm start (e2e)', () => {
  let project: string;
  let dataDir: string;
  let port: number;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    project = mkdtempSync(path.join(tmpdir(), 'gatehouse-npm-start-'));
    copyProject(project);
    dataDir = path.join(project, 'data');
    mkdirSync(dataDir);
    // As root the embedded PostgreSQL runs as user postgres, which must reach DATA_DIR.
    chmodSync(project, 0o755);
    chmodSync(dataDir, 0o755);
    port = await freePort();
  });

  afterAll(() => {
    for (const npm of running)
      for (const pid of [npm.pid!, ...descendants(npm.pid!)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    // After a failure: the embedded PostgreSQL is not below npm (pg_ctl detaches it).
    if (dataDir) for (const pid of postgresOf(dataDir).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGQUIT');
    if (project) rmSync(project, { recursive: true, force: true });
  });

  async function npmStart(readyWithinMs: number): Promise<Started> {
    const env: Record<string, string> = {
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/root',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      // Any free port: the default 9464 may be held by another server on this machine.
      METRICS_PORT: '0',
      npm_config_update_notifier: 'false',
    };
    const npm = spawn('npm', ['start'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(npm);
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await until(
      `the server answers /api/health/ready (output so far:\n${output})`,
      async () => {
        if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
        const ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => undefined);
        return ready?.status === 200;
      },
      readyWithinMs,
    );
    const tree = descendants(npm.pid!);
    // npm → launcher directly (the script's shell replaced itself: exec) → the server.
    const launcher = tree.find((pid) => commandLine(pid).join(' ').endsWith('scripts/start.js'))!;
    expect(launcher).toBeDefined();
    expect(parentOf(launcher)).toBe(npm.pid);
    const server = descendants(launcher).find((pid) => commandLine(pid).join(' ').endsWith(path.join('dist', 'main.js')))!;
    expect(server).toBeDefined();
    return { npm, output: () => output, exited, launcher, server, tree };
  }

  async function expectAllGone(started: Started): Promise<void> {
    await until(
      'every process of npm start has exited',
      () => [started.npm.pid!, ...started.tree].every((pid) => !alive(pid)),
      20_000,
    );
    await until('the embedded PostgreSQL has stopped', () => postgresOf(dataDir) === '', 20_000);
  }

  it('builds when dist/ is missing, serves, and stops everything on a SIGTERM to npm (exit code 0)', async () => {
    const started = await npmStart(300_000);
    expect(started.output()).toContain('start: building dist/ (dist/main.js is missing)');
    // glibc reads MALLOC_ARENA_MAX at exec: it must be in the server's own environment.
    expect(environment(started.server)).toContain('MALLOC_ARENA_MAX=1');
    expect(postgresOf(dataDir)).not.toBe('');

    started.npm.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    await expectAllGone(started);
    expect(started.output()).toContain('SIGTERM received');
    expect(stamp.staleReason(project)).toBeUndefined();
  }, 360_000);

  it('a second start with dist/ current does not build; SIGINT to npm stops everything (exit code 0)', async () => {
    const built = statSync(path.join(project, 'dist', 'main.js')).mtimeMs;
    const started = await npmStart(120_000);
    expect(started.output()).toContain('start: dist/ is up to date, not building');
    expect(started.output()).not.toContain('building dist/');
    expect(statSync(path.join(project, 'dist', 'main.js')).mtimeMs).toBe(built);

    started.npm.kill('SIGINT');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    await expectAllGone(started);
  }, 180_000);

  it('SIGHUP to the launcher reaches the server, which stops cleanly', async () => {
    const started = await npmStart(120_000);
    process.kill(started.launcher, 'SIGHUP');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    await expectAllGone(started);
    expect(started.output()).toContain('SIGHUP received');
  }, 180_000);

  it('when npm itself dies (SIGHUP, which it does not pass on), the launcher stops the server', async () => {
    const started = await npmStart(120_000);
    started.npm.kill('SIGHUP');
    await started.exited;
    await expectAllGone(started);
    expect(started.output()).toContain('start: npm exited: stopping the server');
  }, 180_000);
});

describe('scripts/start.js and its build stamp', () => {
  let project: string;
  const launch = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(project, 'scripts', 'start.js')], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.on('exit', (code) => resolve({ code, output }));
    });

  beforeEach(() => {
    // A project whose "server" only reports what it was given and exits as told.
    project = mkdtempSync(path.join(tmpdir(), 'gatehouse-launcher-'));
    cpSync(path.join(ROOT, 'scripts'), path.join(project, 'scripts'), { recursive: true });
    mkdirSync(path.join(project, 'src'));
    mkdirSync(path.join(project, 'dist'));
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json']) {
      writeFileSync(path.join(project, file), '{}\n');
    }
    writeFileSync(path.join(project, 'src', 'main.ts'), 'export {};\n');
    writeFileSync(
      path.join(project, 'dist', 'main.js'),
      "console.log('arena=' + process.env.MALLOC_ARENA_MAX);\n" +
        'if (process.env.DIE_OF) process.kill(process.pid, process.env.DIE_OF); else process.exit(Number(process.env.EXIT_WITH ?? 0));\n',
    );
    stamp.writeStamp(project);
  });

  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('exits with the server exit code, or 128 + n when it died of signal n; MALLOC_ARENA_MAX=1 unless set', async () => {
    expect(await launch({ EXIT_WITH: '3' })).toMatchObject({ code: 3, output: expect.stringContaining('arena=1') });
    expect(await launch({ DIE_OF: 'SIGKILL' })).toMatchObject({ code: 137 });
    expect(await launch({ DIE_OF: 'SIGTERM' })).toMatchObject({ code: 143 });
    expect((await launch({ MALLOC_ARENA_MAX: '2' })).output).toContain('arena=2');
  });

  it('the stamp follows the contents of src/**, the TypeScript and Nest configuration and the lockfile', () => {
    expect(stamp.staleReason(project)).toBeUndefined();
    const touch = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      writeFileSync(path.join(project, file), text);
      expect(stamp.staleReason(project)).toBe('the sources changed since the last build');
      stamp.writeStamp(project);
      expect(stamp.staleReason(project)).toBeUndefined();
    };
    touch('src/main.ts', 'export const changed = 1;\n');
    touch('src/deep/new-file.ts', 'export {};\n');
    touch('tsconfig.json', '{ "compilerOptions": {} }\n');
    touch('tsconfig.build.json', '{ "include": [] }\n');
    touch('nest-cli.json', '{ "sourceRoot": "src" }\n');
    touch('package-lock.json', '{ "lockfileVersion": 3 }\n');
    // The same contents again (a checkout, a copy): still current, whatever the modification times.
    const before = readFileSync(path.join(project, 'src', 'main.ts'));
    writeFileSync(path.join(project, 'src', 'main.ts'), before);
    expect(stamp.staleReason(project)).toBeUndefined();

    rmSync(path.join(project, 'dist', '.build-stamp'));
    expect(stamp.staleReason(project)).toBe('dist/ has no build stamp');
    rmSync(path.join(project, 'dist', 'main.js'));
    expect(stamp.staleReason(project)).toBe('dist/main.js is missing');
  });

  it('without @nestjs/cli and without dist/, says what to do and exits 1 (it cannot build)', async () => {
    rmSync(path.join(project, 'dist'), { recursive: true });
    const result = await launch({});
    expect(result.code).toBe(1);
    expect(result.output).toContain('start: dist/main.js is missing and @nestjs/cli is not installed');
  });
});
