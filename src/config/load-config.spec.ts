import * as path from 'node:path';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      apiPrefix: '/api',
      databaseUrl: undefined,
      dataDir: path.resolve('./graph_data'),
      sessionIdleTimeoutSeconds: 1200,
      sessionMaxLifetimeSeconds: 3600,
      docsEnabled: true,
      consoleEnabled: true,
      rateLimitLoginPerMinute: 60,
      rateLimitRegisterPerMinute: 20,
      lockoutThreshold: 10,
      lockoutMinutes: 15,
      trustProxy: false,
    });
    expect(sut.sessionTouchIntervalMs).toBe(60_000);
    expect(sut.hashConcurrency).toBeGreaterThanOrEqual(1);
    expect(sut.hashQueueLimit).toBe(sut.hashConcurrency * 8);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT_SECONDS: '3' }).sessionTouchIntervalMs).toBe(150);
  });

  it('normalises the prefix', () => {
    expect(loadConfig({ API_PREFIX: 'v1/' }).apiPrefix).toBe('/v1');
    expect(loadConfig({ API_PREFIX: '/' }).apiPrefix).toBe('');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SESSION_IDLE_TIMEOUT_SECONDS: '0' }, 'SESSION_IDLE_TIMEOUT_SECONDS'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ DOCS_ENABLED: 'maybe' }, 'DOCS_ENABLED'],
    [{ CONSOLE_ENABLED: 'maybe' }, 'CONSOLE_ENABLED'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CORS_ORIGINS: 'example.org' }, 'CORS_ORIGINS'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
  ])('names the bad variable: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('DATABASE_WAIT_SECONDS: 30 by default, 0 (one attempt) to 3600', () => {
    expect(loadConfig({}).databaseWaitSeconds).toBe(30);
    expect(loadConfig({ DATABASE_WAIT_SECONDS: '0' }).databaseWaitSeconds).toBe(0);
    expect(() => loadConfig({ DATABASE_WAIT_SECONDS: '3601' })).toThrow(/^DATABASE_WAIT_SECONDS: /);
    expect(() => loadConfig({ DATABASE_WAIT_SECONDS: 'soon' })).toThrow(/^DATABASE_WAIT_SECONDS: /);
  });

  it('SHUTDOWN_DRAIN_SECONDS: 5 in production, 0 otherwise, 0 to 600', () => {
    expect(loadConfig({}).shutdownDrainSeconds).toBe(0);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).shutdownDrainSeconds).toBe(5);
    expect(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '12' }).shutdownDrainSeconds).toBe(12);
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), SHUTDOWN_DRAIN_SECONDS: '0' }).shutdownDrainSeconds,
    ).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_SECONDS: '601' })).toThrow(/^SHUTDOWN_DRAIN_SECONDS: /);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_SECONDS: '-1' })).toThrow(/^SHUTDOWN_DRAIN_SECONDS: /);
  });

  it('accepts a production start with a long secret', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).isProduction).toBe(true);
  });
});
