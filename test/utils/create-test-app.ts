import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import pino, { DestinationStream } from 'pino';
import { createApp } from '../../src/app.setup';
import { createRootLogger } from '../../src/logging/root-logger';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { createTestDatabase } from '../setup/test-database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  dataDir: string;
  databaseUrl: string;
  /** Runs SQL on the app's database (a separate connection, for setup and assertions). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Receives every log line (JSON) instead of silence; set LOG_LEVEL in env to choose the level. */
  logDestination?: DestinationStream;
}

/**
 * Boots the whole app in-process on a fresh database and a fresh DATA_DIR. Rate limits and
 * lockout are set out of reach unless a test sets them: most tests log in far more often than
 * a person would.
 */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  // A test may point several apps at one database (env.DATABASE_URL); otherwise each gets its own.
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-e2e-'));
  const config = loadConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    LOG_LEVEL: options.logDestination ? 'debug' : 'silent',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
    LOCKOUT_THRESHOLD: '1000',
    LOCKOUT_ACCOUNT_THRESHOLD: '100000',
    METRICS_PORT: '0',
    // Tests change rows by hand (t.sql) and expect the next request to see it at once; the session
    // cache (evicted by database notifications, asynchronously) has tests of its own.
    SESSION_CACHE_SECONDS: '0',
    ...env,
  });
  const app = await createApp(config, {
    rootLogger: createRootLogger(config, options.logDestination ?? pino.destination('/dev/null')),
  });
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    dataDir,
    databaseUrl: database.url,
    sql: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
    close: async () => {
      await app.close();
      await client.end();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
