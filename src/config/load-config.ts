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

function prefix(env: Env): string {
  const value = raw(env, 'API_PREFIX') ?? '/api';
  if (!/^\/?[A-Za-z0-9._~\-/]*$/.test(value)) {
    throw new ConfigError('API_PREFIX', `must be a URL path such as /api, got "${value}"`);
  }
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
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

  config.trustProxy = boolean(env, 'TRUST_PROXY', false);
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
  config.lockoutMinutes = integer(env, 'LOCKOUT_MINUTES', 15, 1, 525_600);
  config.metricsToken = raw(env, 'METRICS_TOKEN');
  // Hashing threads compete with the event loop for the cores: leave it one (bench/RESULTS.md).
  config.hashConcurrency = integer(env, 'HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64);
  // About a quarter second of work may wait; more is refused at once rather than answered late.
  config.hashQueueLimit = integer(env, 'HASH_QUEUE_LIMIT', config.hashConcurrency * 8, 0, 100_000);
  return Object.freeze(config);
}

/** The one place that reads the process environment. */
export function loadConfigFromProcessEnv(): AppConfig {
  return loadConfig(process.env);
}
