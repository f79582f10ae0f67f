import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmbeddedPostgresLogger, lastLines, readText, sleep } from './common';
import type { ServerUser } from './os-user';

export interface RunningServer {
  pid: number;
  port: number;
}

/** The postmaster of this cluster if it is running; removes a postmaster.pid whose process is gone. */
export function findRunningServer(cluster: string): RunningServer | undefined {
  const pidFile = path.join(cluster, 'postmaster.pid');
  const lines = readText(pidFile)?.split('\n');
  if (!lines) return undefined;
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (pid > 0 && isAlive(pid) && isClusterProcess(pid, cluster)) return { pid, port };
  // Stale: the server checks this too, but refuses when the pid was reused by another process.
  fs.rmSync(pidFile, { force: true });
  return undefined;
}

/** Linux: a postgres process has its working directory in the cluster; elsewhere trust the pid. */
export function isClusterProcess(pid: number, cluster: string): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(cluster);
  } catch {
    return !fs.existsSync('/proc/self/cwd');
  }
}

function clusterProcesses(cluster: string): number[] {
  if (!fs.existsSync('/proc/self/cwd')) return [];
  const real = fs.realpathSync(cluster);
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isClusterProcess(pid, real) && isPostgresBinary(pid));
}

/** Keeps a shell that merely sits in the cluster directory out of the kill list. */
function isPostgresBinary(pid: number): boolean {
  try {
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).startsWith('postgres');
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time in clock ticks since boot (Linux), to tell a live owner from a reused pid. */
export function processStartTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export interface RunResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

export function run(command: string, args: string[], user: ServerUser, cwd: string, timeoutMs: number): Promise<RunResult> {
  // The caller's PG* and locale variables would silently change where and how the tools connect and initdb.
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG') && !key.startsWith('LC_') && key !== 'LANG') env[key] = value;
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, uid: user.uid, gid: user.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-16_384);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${err.message}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** A server whose Node owner died (crash, SIGKILL) would otherwise hold the cluster forever. */
export async function stopOrphan(
  cluster: string,
  cwd: string,
  pgCtl: string,
  user: ServerUser,
  orphan: RunningServer,
  logger: EmbeddedPostgresLogger,
): Promise<void> {
  logger.warn(`Stopping an orphaned embedded PostgreSQL (pid ${orphan.pid}, port ${orphan.port}) whose owner process is gone`);
  const result = await run(pgCtl, ['stop', '-s', '-w', '-m', 'fast', '-t', '30', '-D', cluster], user, cwd, 40_000);
  if (result.code !== 0) {
    logger.warn(`pg_ctl could not stop the orphan (${lastLines(result.output, 1)}); killing pid ${orphan.pid}`);
  }
  await killAndWait(cluster, [orphan.pid], result.code === 0 ? undefined : 'SIGQUIT', 5_000);
  await killLeftoverBackends(cluster);
  findRunningServer(cluster); // clears a postmaster.pid left behind
}

/** Backends of a killed postmaster keep its shared memory, which blocks a new server. */
export async function killLeftoverBackends(cluster: string): Promise<void> {
  await killAndWait(cluster, clusterProcesses(cluster), 'SIGKILL', 5_000);
}

/** Sends `signal` (if any) to those pids still serving `cluster`, waits for them to exit, then SIGKILLs the rest. */
export async function killAndWait(
  cluster: string,
  pids: number[],
  signal: NodeJS.Signals | undefined,
  timeoutMs: number,
): Promise<void> {
  // Checking the cwd each time guards against a pid reused by an unrelated process (and skips zombies).
  const remaining = (): number[] => pids.filter((pid) => isAlive(pid) && isClusterProcess(pid, cluster));
  const send = (sig: NodeJS.Signals): void => {
    for (const pid of remaining()) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (signal) send(signal);
  const deadline = Date.now() + timeoutMs;
  while (remaining().length > 0 && Date.now() < deadline) await sleep(20);
  send('SIGKILL');
}
