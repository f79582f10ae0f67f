import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { AppConfig } from './app-config';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
  }
  return parsed;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

function postgresUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be a URL such as postgres://user:password@host:5432/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  return value;
}

const CIDR = /^(.+?)(?:\/(\d{1,3}))?$/;

/**
 * Which proxies may set X-Forwarded-For: none (`false`), the last n hops (a number; `true` means
 * 1), or a list of proxy addresses/CIDRs. The client address is then the right-most untrusted
 * entry, never the left-most one a client can write itself (docs/API.md §11 Rate limits and lockout).
 */
function trustProxy(env: Env): false | number | string[] {
  const value = raw(env, 'TRUST_PROXY');
  if (value === undefined) return false;
  const lowered = value.toLowerCase();
  if (['false', 'no', 'off', '0'].includes(lowered)) return false;
  if (['true', 'yes', 'on'].includes(lowered)) return 1;
  if (/^\d+$/.test(value)) return integer(env, 'TRUST_PROXY', 0, 0, 100);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [, address, bits] = CIDR.exec(entry) ?? [];
    const family = isIP(address ?? '');
    if (family === 0 || (bits !== undefined && Number(bits) > (family === 4 ? 32 : 128))) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be false, a number of proxy hops, or proxy addresses/CIDRs separated by commas; "${entry}" is none of these`,
      );
    }
  }
  return entries;
}

function bootstrapAdmin(env: Env): AppConfig['bootstrapAdmin'] {
  const username = raw(env, 'BOOTSTRAP_ADMIN_USERNAME');
  const email = raw(env, 'BOOTSTRAP_ADMIN_EMAIL');
  // The password is taken as given: spaces at its ends are part of it.
  const password = env.BOOTSTRAP_ADMIN_PASSWORD === '' ? undefined : env.BOOTSTRAP_ADMIN_PASSWORD;
  const given = [username, email, password].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    const missing = ['BOOTSTRAP_ADMIN_USERNAME', 'BOOTSTRAP_ADMIN_EMAIL', 'BOOTSTRAP_ADMIN_PASSWORD'].find(
      (name) => (name === 'BOOTSTRAP_ADMIN_PASSWORD' ? password : raw(env, name)) === undefined,
    )!;
    throw new ConfigError(missing, 'must be set together with the other BOOTSTRAP_ADMIN_* variables');
  }
  return { username: username!, email: email!, password: password! };
}

function prefix(env: Env): string {
  const value = raw(env, 'API_PREFIX') ?? '/api';
  if (!/^\/?[A-Za-z0-9._~\-/]*$/.test(value)) {
    throw new ConfigError('API_PREFIX', `must be a URL path such as /api, got "${value}"`);
  }
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

/** `smtp://` or `smtps://[user:password@]host[:port]` (docs/API.md §13 Mail); the password never appears in the error. */
function smtpUrl(env: Env): string | undefined {
  const value = raw(env, 'SMTP_URL');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    throw new ConfigError('SMTP_URL', 'must look like smtp://host:port or smtps://user:password@host:port');
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.hash !== '') {
    throw new ConfigError('SMTP_URL', 'must not have a path or fragment (smtp://user:password@host:port)');
  }
  return value;
}

/** `Name <address@host>` or `address@host`, on one line. */
function mailFrom(env: Env): string {
  const value = raw(env, 'MAIL_FROM') ?? 'Gatehouse <gatehouse@localhost>';
  // One address: a display name (quoted, or without @ , ;) and <address>, or the bare address.
  const address = /^(?:(?:"[^"\r\n]*"|[^<>"@,;\r\n]*)\s*<([^<>\s,;]+)>|([^<>\s,;"]+))$/.exec(value);
  if (!address || !/^[^@\s]+@[^@\s]+$/.test(address[1] ?? address[2])) {
    throw new ConfigError('MAIL_FROM', `must be an address such as "Gatehouse <gatehouse@example.org>", got "${value}"`);
  }
  return value;
}

/** The base of the links in mails: http(s)://host[:port][/path], kept without a trailing slash. */
function publicUrl(env: Env, port: number): string {
  const value = raw(env, 'PUBLIC_URL') ?? `http://localhost:${port}`;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new ConfigError('PUBLIC_URL', `must be an http:// or https:// URL without query or fragment, got "${value}"`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError('PUBLIC_URL', 'must not contain a user or password');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Validates the environment and returns the typed configuration. Throws a `ConfigError` naming
 * the first bad variable; the caller prints that one line and exits 1.
 */
export function loadConfig(env: Env): AppConfig {
  const config = new AppConfig();
  config.nodeEnv = raw(env, 'NODE_ENV') ?? 'development';
  config.port = integer(env, 'PORT', 3000, 0, 65535);
  config.host = raw(env, 'HOST') ?? '0.0.0.0';
  config.apiPrefix = prefix(env);
  config.databaseUrl = postgresUrl(env, 'DATABASE_URL');
  config.databasePoolSize = integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200);
  config.databaseWaitSeconds = integer(env, 'DATABASE_WAIT_SECONDS', 30, 0, 3600);
  // Long enough for a proxy's health check to notice (docs/DEPLOYMENT.md, Several instances behind HAProxy).
  config.shutdownDrainSeconds = integer(env, 'SHUTDOWN_DRAIN_SECONDS', config.nodeEnv === 'production' ? 5 : 0, 0, 600);
  config.dataDir = path.resolve(raw(env, 'DATA_DIR') ?? './graph_data');

  const secret = raw(env, 'JWT_SECRET');
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes long');
  }
  if (secret === undefined && config.nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production (at least 32 bytes)');
  }
  config.jwtSecret = secret;

  config.sessionIdleTimeoutSeconds = integer(env, 'SESSION_IDLE_TIMEOUT_SECONDS', 1200, 1, 31_536_000);
  config.sessionMaxLifetimeSeconds = integer(env, 'SESSION_MAX_LIFETIME_SECONDS', 3600, 1, 31_536_000);
  config.sessionCacheSeconds = integer(env, 'SESSION_CACHE_SECONDS', 60, 0, 3600);

  const redisUrl = raw(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  config.redisUrl = redisUrl;

  const origins = (raw(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError('CORS_ORIGINS', `each origin must look like https://host[:port], got "${origin}"`);
    }
  }
  config.corsOrigins = origins;

  config.trustProxy = trustProxy(env);
  const level = (raw(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  config.logLevel = level as AppConfig['logLevel'];
  config.docsEnabled = boolean(env, 'DOCS_ENABLED', true);
  config.consoleEnabled = boolean(env, 'CONSOLE_ENABLED', true);
  config.rateLimitLoginPerMinute = integer(env, 'RATE_LIMIT_LOGIN_PER_MINUTE', 60, 1, 1_000_000);
  config.rateLimitRegisterPerMinute = integer(env, 'RATE_LIMIT_REGISTER_PER_MINUTE', 20, 1, 1_000_000);
  config.lockoutThreshold = integer(env, 'LOCKOUT_THRESHOLD', 10, 1, 1000);
  config.lockoutAccountThreshold = integer(env, 'LOCKOUT_ACCOUNT_THRESHOLD', 100, 1, 1_000_000);
  config.lockoutMinutes = integer(env, 'LOCKOUT_MINUTES', 15, 1, 525_600);
  config.metricsHost = raw(env, 'METRICS_HOST') ?? '127.0.0.1';
  config.metricsPort = integer(env, 'METRICS_PORT', 9464, 0, 65535);
  config.metricsToken = raw(env, 'METRICS_TOKEN');
  config.firstUserSuperuser = boolean(env, 'FIRST_USER_SUPERUSER', true);
  config.bootstrapAdmin = bootstrapAdmin(env);
  const verification = (raw(env, 'EMAIL_VERIFICATION') ?? 'off').toLowerCase();
  if (verification !== 'off' && verification !== 'required') {
    throw new ConfigError('EMAIL_VERIFICATION', `must be off or required, got "${verification}"`);
  }
  config.emailVerification = verification;
  config.resetTokenTtlSeconds = integer(env, 'RESET_TOKEN_TTL_SECONDS', 3600, 60, 31_536_000);
  config.verifyTokenTtlSeconds = integer(env, 'VERIFY_TOKEN_TTL_SECONDS', 86_400, 60, 31_536_000);
  // Hashing threads compete with the event loop for the cores: leave it one (bench/RESULTS.md).
  config.hashConcurrency = integer(env, 'HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64);
  // About a quarter second of work may wait; more is refused at once rather than answered late.
  config.hashQueueLimit = integer(env, 'HASH_QUEUE_LIMIT', config.hashConcurrency * 8, 0, 100_000);
  // Mail (docs/API.md §13 Mail).
  config.smtpUrl = smtpUrl(env);
  config.mailFrom = mailFrom(env);
  config.publicUrl = publicUrl(env, config.port);
  config.adminDigestMinutes = integer(env, 'ADMIN_DIGEST_MINUTES', 15, 0, 10_080);
  // 13 attempts with the queue's backoff (e^n seconds, at most e^10) span about 22 hours.
  config.mailMaxAttempts = integer(env, 'MAIL_MAX_ATTEMPTS', 13, 1, 25);
  return Object.freeze(config);
}

/** The one place that reads the process environment. */
export function loadConfigFromProcessEnv(): AppConfig {
  return loadConfig(process.env);
}
