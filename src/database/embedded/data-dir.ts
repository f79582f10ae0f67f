import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmbeddedPostgresError, readText, sleep } from './common';
import { chownTo, ServerUser } from './os-user';
import { isAlive, processStartTime, RunningServer } from './processes';

const LOCK_TIMEOUT_MS = 120_000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export interface Paths {
  root: string;
  cluster: string;
  initTmp: string;
  password: string;
  log: string;
  owner: string;
  lock: string;
}

interface OwnerRecord {
  nodePid: number;
  nodeStartTime?: string;
  postmasterPid: number;
  port: number;
}

export function dataDirPaths(root: string): Paths {
  return {
    root,
    cluster: path.join(root, 'postgres'),
    initTmp: path.join(root, 'postgres.initdb-tmp'),
    password: path.join(root, '.pg-password'),
    log: path.join(root, 'postgres.log'),
    owner: path.join(root, 'postgres.owner.json'),
    lock: path.join(root, '.pg-start.lock'),
  };
}

export function readOrCreatePassword(paths: Paths, initialised: boolean): string {
  if (fs.existsSync(paths.password)) {
    if ((fs.statSync(paths.password).mode & 0o077) !== 0) fs.chmodSync(paths.password, 0o600);
    const password = fs.readFileSync(paths.password, 'utf8').trim();
    if (password) return password;
  }
  if (initialised) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL: ${paths.password} is missing or empty but the cluster ${paths.cluster} exists; ` +
        `restore the file or move the cluster away to start with an empty database`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(paths.password, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Serialises starts from several processes sharing DATA_DIR (app and tests, two app instances). */
export async function acquireStartLock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readText(lockPath)?.trim());
    // Our own pid can only be a leftover (pid reuse in a container): in-process starts are queued.
    if (!holder || holder === process.pid || !isAlive(holder)) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(`Embedded PostgreSQL: process ${holder} has held ${lockPath} for too long`);
    }
    await sleep(100);
  }
}

export function writeOwner(paths: Paths, server: RunningServer): void {
  const record: OwnerRecord = {
    nodePid: process.pid,
    nodeStartTime: processStartTime(process.pid),
    postmasterPid: server.pid,
    port: server.port,
  };
  fs.writeFileSync(paths.owner, JSON.stringify(record), { mode: 0o600 });
}

/** Whether another live Node process started `running`, so we attach to it instead of stopping it. */
export function isOwnerAlive(paths: Paths, running: RunningServer): boolean {
  let owner: OwnerRecord;
  try {
    owner = JSON.parse(readText(paths.owner) ?? '') as OwnerRecord;
  } catch {
    return false;
  }
  if (owner.postmasterPid !== running.pid || owner.nodePid === process.pid || !isAlive(owner.nodePid)) return false;
  const startTime = processStartTime(owner.nodePid);
  return !owner.nodeStartTime || !startTime || startTime === owner.nodeStartTime;
}

export function forgetOwner(paths: Paths): void {
  try {
    if ((JSON.parse(readText(paths.owner) ?? '{}') as Partial<OwnerRecord>).nodePid === process.pid) fs.rmSync(paths.owner);
  } catch {
    // nothing to clean up
  }
}

export function prepareLogFile(logPath: string, user: ServerUser): void {
  try {
    if (fs.statSync(logPath).size > LOG_ROTATE_BYTES) fs.renameSync(logPath, `${logPath}.1`);
  } catch {
    // no log yet
  }
  fs.closeSync(fs.openSync(logPath, 'a', 0o600));
  chownTo(logPath, user);
}
