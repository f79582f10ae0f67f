import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { createTestDatabase } from '../setup/test-database';
import { TEST_JWT_SECRET } from './create-test-app';

export interface MediumApp {
  app: INestApplicationContext;
  config: AppConfig;
  /** Runs SQL on the app's database through a connection of its own. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A second connection, for holding locks or transactions beside the services. */
  client(): Promise<Client>;
  /** Closes the app and drops its database; a second call waits for the first. */
  close(): Promise<void>;
}

/**
 * The application's services on a fresh database, without HTTP: for the rules that need real
 * PostgreSQL (locks, constraints, concurrent transactions).
 */
export async function createMediumApp(env: Record<string, string> = {}): Promise<MediumApp> {
  // A test may point several apps at one database (env.DATABASE_URL); otherwise each gets its own.
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-medium-'));
  const config = loadConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '20',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
  const clients: Client[] = [];
  const client = async () => {
    const opened = new Client({ connectionString: database.url });
    await opened.connect();
    clients.push(opened);
    return opened;
  };
  const helper = await client();
  let closed: Promise<void> | undefined;
  return {
    app,
    config,
    sql: async <T>(text: string, params: unknown[] = []) => (await helper.query(text, params)).rows as T[],
    client,
    // Once: a test may close the app itself before its afterEach does.
    close: () =>
      (closed ??= (async () => {
        await Promise.all(clients.map((opened) => opened.end().catch(() => undefined)));
        await app.close();
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** Resolves once some other backend waits on a lock in this database (a request queued behind ours). */
export async function waitForLockWaiter(sql: MediumApp['sql'], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n > 0) return;
    if (Date.now() > deadline) throw new Error('no request queued behind the lock');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
