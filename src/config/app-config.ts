/**
 * The validated, typed configuration of one running service. Built once at start-up from the
 * environment (see `loadConfig`) and provided to every module through DI.
 */
export class AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  /** Normalised: '' or '/segment' without a trailing slash. */
  apiPrefix: string;
  /** Unset means: start the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  /** Explicit secret from JWT_SECRET, if any (otherwise resolved from DATA_DIR at start). */
  jwtSecret: string | undefined;
  sessionIdleTimeoutSeconds: number;
  sessionMaxLifetimeSeconds: number;
  redisUrl: string | undefined;
  corsOrigins: string[];
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  docsEnabled: boolean;
  rateLimitLoginPerMinute: number;
  rateLimitRegisterPerMinute: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  metricsToken: string | undefined;
  /** Upper bound of password hashes computed at once; more wait in a bounded queue. */
  hashConcurrency: number;
  hashQueueLimit: number;

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** How stale `last_seen_at` may get before a request writes it again (SPEC §4). */
  get sessionTouchIntervalMs(): number {
    return Math.min(60_000, (this.sessionIdleTimeoutSeconds * 1000) / 20);
  }
}
