import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StartupError } from './common/errors/startup-error';
import { AppConfig } from './config/app-config';
import { resolveJwtSecret } from './config/jwt-secret';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrationsExclusively } from './database/migrate';
import { waitForDatabase } from './database/wait-for-database';
import { usersRootOf } from './user-storage/user-storage.service';

export interface RuntimeLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface Runtime {
  /** The configuration with the database URL and JWT secret resolved, frozen. */
  config: AppConfig;
  /** Stops what start-up started (the embedded PostgreSQL), if anything. */
  stop(): Promise<void>;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns where a file system answers
 * ENOENT to every attempt (a path under /proc, for one).
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // A folder already, or a file / dangling link in its place (stat says which).
      if ((await fs.stat(dir)).isDirectory()) return;
      throw error;
    }
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw error;
  }
  await makeFolder(path.dirname(dir));
  await fs.mkdir(dir);
}

/**
 * DATA_DIR and DATA_DIR/users must be folders this process can create files in: a file is really
 * created and removed in each (permission bits say nothing for root, nor about a read-only mount,
 * a file system that refuses new entries, or a file or dangling link where a folder belongs).
 * Otherwise the start fails here, instead of every sign-up failing later.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  for (const dir of [dataDir, usersRootOf(dataDir)]) {
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    try {
      await makeFolder(dir);
      await fs.writeFile(probe, 'gatehouse start-up check\n');
      await fs.rm(probe);
    } catch (error) {
      const cause = error as NodeJS.ErrnoException;
      throw new StartupError(`DATA_DIR is not usable: cannot create a file in ${dir} (${cause.message})`, cause.code);
    }
  }
}

/**
 * What the service and the CLI both need before Nest starts: a usable DATA_DIR, the database (the
 * embedded PostgreSQL under DATA_DIR when DATABASE_URL is unset, or the one a running service
 * started there; an external one is waited for up to DATABASE_WAIT_SECONDS), its migrations
 * (applied by one instance at a time), and the JWT secret (generated once into DATA_DIR when
 * JWT_SECRET is unset).
 */
export async function prepareRuntime(loaded: AppConfig, log: RuntimeLog): Promise<Runtime> {
  await checkDataDir(loaded.dataDir);
  let databaseUrl = loaded.databaseUrl;
  let stop = async (): Promise<void> => undefined;
  if (!databaseUrl) {
    log.log(`DATABASE_URL is not set: starting the embedded PostgreSQL under ${loaded.dataDir}`);
    const embedded = await startEmbeddedPostgres(loaded.dataDir, log);
    databaseUrl = embedded.url;
    stop = () => embedded.stop();
  } else {
    await waitForDatabase(databaseUrl, loaded.databaseWaitSeconds, log);
  }
  try {
    // Before Nest starts, under a lock: instances started together on an empty database queue here.
    const applied = await runMigrationsExclusively(databaseUrl);
    if (applied.length > 0) log.log(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const jwtSecret = await resolveJwtSecret(loaded);
    return { config: loaded.withResolved({ databaseUrl, jwtSecret }), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
