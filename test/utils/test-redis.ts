import { spawn } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from './spawn-server';

export interface TestRedis {
  url: string;
  /** Stops the private server (nothing for TEST_REDIS_URL's). */
  stop: () => Promise<void>;
}

/**
 * The Redis of the tests that run several instances: TEST_REDIS_URL when set (CI), otherwise a
 * private `redis-server` (Debian's package, which npm test installs: scripts/ensure-test-tools.sh)
 * on a free port, in memory only, stopped at the end.
 */
export async function testRedis(): Promise<TestRedis> {
  const given = process.env.TEST_REDIS_URL;
  if (given) return { url: given, stop: async () => undefined };
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`redis-server did not start (apt-get install redis-server): ${error.message}`)),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await Promise.race([client.connect().then(() => client.ping()), failed]);
        break;
      } catch (error) {
        if (attempt >= 100 || child.exitCode !== null) throw error;
        client.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.disconnect();
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
