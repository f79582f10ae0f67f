import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Binaries } from './binaries';
import { EmbeddedPostgresError, EmbeddedPostgresLogger, lastLines, readText } from './common';
import { Paths, prepareLogFile } from './data-dir';
import { chownTo, ServerUser } from './os-user';
import { findRunningServer, isAlive, isClusterProcess, killAndWait, run, RunningServer } from './processes';

export const SUPERUSER = 'gatehouse';
const START_TIMEOUT_S = 60;
const STOP_TIMEOUT_S = 60;
const INITDB_TIMEOUT_MS = 180_000;

export function checkClusterVersion(cluster: string, bins: Binaries): void {
  const clusterVersion = readText(path.join(cluster, 'PG_VERSION'))?.trim();
  if (bins.majorVersion !== '?' && clusterVersion && clusterVersion !== bins.majorVersion) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL: ${cluster} was created by PostgreSQL ${clusterVersion} but the binaries are ` +
        `PostgreSQL ${bins.majorVersion}; dump and restore it, or move it away to start empty`,
    );
  }
}

export async function initCluster(
  paths: Paths,
  bins: Binaries,
  user: ServerUser,
  password: string,
  logger: EmbeddedPostgresLogger,
): Promise<void> {
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
        '-D',
        paths.initTmp,
        '-U',
        SUPERUSER,
        '--auth=scram-sha-256',
        `--pwfile=${pwFile}`,
        '-E',
        'UTF8',
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

export async function startServer(paths: Paths, bins: Binaries, user: ServerUser): Promise<RunningServer> {
  prepareLogFile(paths.log, user);
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const logOffset = fs.statSync(paths.log).size;
    const result = await run(
      bins.pg_ctl,
      [
        'start',
        '-w',
        '-s',
        '-t',
        String(START_TIMEOUT_S),
        '-D',
        paths.cluster,
        '-l',
        paths.log,
        // pg_ctl passes -o through a shell; none of these values need quoting.
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=`,
      ],
      user,
      paths.root,
      (START_TIMEOUT_S + 10) * 1000,
    );
    const running = result.code === 0 ? findRunningServer(paths.cluster) : undefined;
    if (running) return running;

    const serverLog = readText(paths.log)?.slice(logOffset) ?? '';
    // A server that missed the deadline may still come up later: make sure it does not linger.
    await run(bins.pg_ctl, ['stop', '-s', '-m', 'immediate', '-D', paths.cluster], user, paths.root, 15_000);
    // The free port may be taken between our probe and the server's bind.
    if (/could not bind|address already in use/i.test(serverLog) && attempt < 3) continue;
    const reason = serverLog.match(/^.*(FATAL|PANIC).*$/m)?.[0] ?? lastLines(`${result.output}\n${serverLog}`, 3);
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL did not start${result.timedOut ? ` within ${START_TIMEOUT_S} s` : ''} (see ${paths.log}): ${reason}`,
    );
  }
}

export async function stopServer(paths: Paths, bins: Binaries, user: ServerUser, server: RunningServer): Promise<void> {
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
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
}

export async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  if (database === 'postgres') return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: new (config: object) => PgClient };
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  });
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

export function buildUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

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
