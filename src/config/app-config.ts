/**
 * The validated, typed configuration of one running service. Built once at start-up from the
 * environment (see `loadConfig`), frozen, and provided to every module through DI. The two values
 * only known after start-up work (the embedded database's URL, the generated JWT secret) make a
 * new frozen copy (`withResolved`), never a change of this one.
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
  /** How long start-up waits for an external database to accept connections. */
  databaseWaitSeconds: number;
  /** After SIGTERM: how long the service reports not ready but keeps serving, before it stops accepting. */
  shutdownDrainSeconds: number;
  dataDir: string;
  /** Explicit secret from JWT_SECRET, if any (otherwise resolved from DATA_DIR at start). */
  jwtSecret: string | undefined;
  sessionIdleTimeoutSeconds: number;
  sessionMaxLifetimeSeconds: number;
  /** How long a session may be served from memory (0: never); evictions come from database notifications. */
  sessionCacheSeconds: number;
  redisUrl: string | undefined;
  corsOrigins: string[];
  /** false, a number of trusted proxy hops, or the addresses/CIDRs of the trusted proxies. */
  trustProxy: false | number | string[];
  firstUserSuperuser: boolean;
  emailVerification: 'off' | 'required';
  resetTokenTtlSeconds: number;
  verifyTokenTtlSeconds: number;
  bootstrapAdmin: { username: string; email: string; password: string } | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  docsEnabled: boolean;
  /** Serve the web console at /console/ and redirect / to it (docs/API.md §15 Console). */
  consoleEnabled: boolean;
  rateLimitLoginPerMinute: number;
  rateLimitRegisterPerMinute: number;
  lockoutThreshold: number;
  lockoutAccountThreshold: number;
  lockoutMinutes: number;
  metricsHost: string;
  /** 0: any free port (tests). */
  metricsPort: number;
  metricsToken: string | undefined;
  /** Upper bound of password hashes computed at once; more wait in a bounded queue. */
  hashConcurrency: number;
  hashQueueLimit: number;
  /** Unset: each mail is an .eml file in DATA_DIR/outbox/ (docs/API.md §13 Mail). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Base of the links in mails, without a trailing slash. */
  publicUrl: string;
  /** Minimum interval of the superusers' digest; 0 turns it off. */
  adminDigestMinutes: number;
  /** Delivery attempts of one mail before it is marked failed. */
  mailMaxAttempts: number;

  /** A frozen copy with the database URL and JWT secret that start-up resolved. */
  withResolved(resolved: { databaseUrl: string; jwtSecret: string }): AppConfig {
    return Object.freeze(Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, resolved));
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** How stale `last_seen_at` may get before a request writes it again (docs/API.md §5 Sessions and tokens). */
  get sessionTouchIntervalMs(): number {
    return Math.min(60_000, (this.sessionIdleTimeoutSeconds * 1000) / 20);
  }
}
