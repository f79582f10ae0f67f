import { AppConfig } from './config/app-config';
import { resolveJwtSecret } from './config/jwt-secret';
import { startEmbeddedPostgres } from './database/embedded-postgres';

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
 * What the service and the CLI both need before Nest starts: the database (the embedded
 * PostgreSQL under DATA_DIR when DATABASE_URL is unset, or the one a running service started
 * there) and the JWT secret (generated once into DATA_DIR when JWT_SECRET is unset).
 */
export async function prepareRuntime(loaded: AppConfig, log: RuntimeLog): Promise<Runtime> {
  let databaseUrl = loaded.databaseUrl;
  let stop = async (): Promise<void> => undefined;
  if (!databaseUrl) {
    log.log(`DATABASE_URL is not set: starting the embedded PostgreSQL under ${loaded.dataDir}`);
    const embedded = await startEmbeddedPostgres(loaded.dataDir, log);
    databaseUrl = embedded.url;
    stop = () => embedded.stop();
  }
  try {
    const jwtSecret = await resolveJwtSecret(loaded);
    return { config: loaded.withResolved({ databaseUrl, jwtSecret }), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
