import { chmodSync, mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '../setup/test-database';
import { TEST_JWT_SECRET } from './create-test-app';
import { freePort, spawnServer, SpawnedServer } from './spawn-server';

/** Helpers for the fault tests: the built server on a fresh database, HTTP with a deadline, the run's admin. */

export const SUBDIRECTORIES = ['attributeNodes', 'functions', 'graphs', 'nodes', 'relationNodes', 'schemas', 'transitions'];
export const REGISTRIES = [
  'attribute_registry.json',
  'function_registry.json',
  'node_registry.json',
  'relation_registry.json',
  'transition_registry.json',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Answer {
  status: number;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON the server sends
  body: any;
  requestId: string | null;
  headers: Headers;
}

/** One request with a deadline: a hang is an error (`AbortError`/`TimeoutError`), never a stuck test. */
export async function call(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
  const { timeoutMs = 15_000, ...rest } = init;
  const response = await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body, requestId: response.headers.get('x-request-id'), headers: response.headers };
}

export function postJson(url: string, payload: unknown, timeoutMs?: number): Promise<Answer> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), timeoutMs });
}

/** A fresh database (its name too) plus a DATA_DIR, dropped and removed by `dispose()`. */
export interface FaultFixture {
  databaseUrl: string;
  databaseName: string;
  dataDir: string;
  /** Runs SQL on the fixture's database through a short-lived connection. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs SQL as the run's superuser on the maintenance database (kept open until dispose). */
  admin<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

export async function createFaultFixture(): Promise<FaultFixture> {
  const adminUrl = process.env.GATEHOUSE_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('the e2e global setup did not run');
  const database = await createTestDatabase();
  const databaseName = decodeURIComponent(new URL(database.url).pathname.slice(1));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-faults-'));
  chmodSync(dataDir, 0o755);
  const adminClient = new Client({ connectionString: adminUrl });
  await adminClient.connect();
  return {
    databaseUrl: database.url,
    databaseName,
    dataDir,
    sql: async <T>(text: string, params: unknown[] = []) => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    admin: async <T>(text: string, params: unknown[] = []) => (await adminClient.query(text, params)).rows as T[],
    dispose: async () => {
      try {
        await adminClient.query(`ALTER DATABASE "${databaseName}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
        await adminClient.end();
      } finally {
        await database.drop();
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export interface RunningServer {
  server: SpawnedServer;
  base: string;
  alive(): boolean;
  /** SIGKILL if still running; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Spawns `node dist/main.js` on the fixture and waits until it listens. */
export async function startServer(fixture: FaultFixture, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const server = spawnServer({
    DATABASE_URL: fixture.databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: fixture.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_REGISTER_PER_MINUTE: '1000000',
    LOCKOUT_THRESHOLD: '1000',
    LOG_LEVEL: 'info',
    ...env,
  });
  const running: RunningServer = {
    server,
    base: `http://127.0.0.1:${port}/api`,
    alive: () => server.process.exitCode === null && server.process.signalCode === null,
    kill: async () => {
      if (running.alive()) server.process.kill('SIGKILL');
      await server.exited;
    },
  };
  try {
    await server.waitFor(/Gatehouse is listening/, 60_000);
  } catch (error) {
    await running.kill();
    throw error;
  }
  return running;
}

/** The process's JSON log lines (anything that does not parse is skipped). */
export function logLines(output: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a partial last line */
    }
  }
  return lines;
}

/** Names found under DATA_DIR/users/ that look like user trees. */
export async function treesOnDisk(dataDir: string): Promise<string[]> {
  try {
    return (await fs.readdir(path.join(dataDir, 'users'))).filter((name) => UUID.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** What is wrong with a user's tree ([] when it is exactly seven empty folders and five `{}` registries). */
export async function treeProblems(dataDir: string, userId: string): Promise<string[]> {
  const dir = path.join(dataDir, 'users', userId);
  const problems: string[] = [];
  for (const sub of SUBDIRECTORIES) {
    const stat = await fs.stat(path.join(dir, sub)).catch(() => null);
    if (!stat?.isDirectory()) problems.push(`${userId}: ${sub}/ missing`);
  }
  for (const registry of REGISTRIES) {
    const content = await fs.readFile(path.join(dir, registry), 'utf8').catch(() => null);
    if (content !== '{}') problems.push(`${userId}: ${registry} is ${content === null ? 'missing' : JSON.stringify(content)}`);
  }
  return problems;
}
