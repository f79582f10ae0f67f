import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '../setup/test-database';
import { eventually } from '../utils/eventually';
import { freePort, MAIN_JS, SpawnedServer, spawnServer } from '../utils/spawn-server';

/**
 * SIGTERM with SHUTDOWN_DRAIN_SECONDS (docs/DEPLOYMENT.md, Several instances behind HAProxy):
 * not ready at once, still serving during the drain, then no new connections, the request in
 * flight answered, exit code 0.
 */
describe('graceful shutdown of the built server (e2e)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataDir: string;
  let server: SpawnedServer | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-drain-'));
  });

  afterAll(async () => {
    if (server && server.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill('SIGKILL');
      await server.exited;
    }
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports not ready at once, serves for the drain, then stops accepting, finishes the request in flight and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api`;
    server = spawnServer({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      JWT_SECRET: 'graceful-shutdown-test-secret-0123456789abcdef',
      HOST: '127.0.0.1',
      PORT: String(port),
      SHUTDOWN_DRAIN_SECONDS: '3',
    });
    await server.waitFor(/Gatehouse is listening/, 60_000);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    // A registration whose body is only half sent: in flight across the whole shutdown.
    const body = JSON.stringify({ username: 'inflight', email: 'inflight@example.org', password: 'inflight-password-1' });
    const inFlight = httpRequest(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      inFlight.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      inFlight.on('error', reject);
    });
    inFlight.write(body.slice(0, 10));
    await new Promise((resolve) => inFlight.once('socket', (socket) => socket.once('connect', resolve)));

    server.process.kill('SIGTERM');
    await server.waitFor(/SIGTERM received: not ready, serving for 3 s/);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { shutdown: { status: 'down' } } });

    // Still serving during the drain, each answer closing its connection.
    const registered = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'during', email: 'during@example.org', password: 'during-password-1' }),
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('connection')).toBe('close');

    // After the drain: no new connection, while the one in flight is still open.
    await server.waitFor(/drain over/, 15_000);
    await eventually(async () => {
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    }, 10_000);
    expect(server.process.exitCode).toBeNull();

    inFlight.end(body.slice(10));
    const result = await answered;
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ username: 'inflight' });
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
