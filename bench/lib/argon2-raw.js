// @ts-check
'use strict';
/**
 * Raw argon2id verifies per second with the app's parameters, `concurrency` verifies in flight
 * (the server's HASH_CONCURRENCY). Run as a child process with the server's UV_THREADPOOL_SIZE in
 * its environment, so that both use a thread pool of the same size.
 * Usage: node bench/lib/argon2-raw.js '<json: concurrency, duration, password, hash>'
 */
const argon2 = require('argon2');

async function main() {
  /** @type {{ concurrency: number, duration: number, password: string, hash: string }} */
  const { concurrency, duration, password, hash } = JSON.parse(process.argv[2]);
  // One verify first, outside the clock (loads the native module and warms the pool).
  if (!(await argon2.verify(hash, password))) throw new Error('the hash does not verify');
  let done = 0;
  const started = performance.now();
  const endAt = started + duration * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      const ok = await argon2.verify(hash, password);
      if (!ok) throw new Error('verify failed');
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
  const hwmMb = Number((/^VmHWM:\s+(\d+)/m.exec(status) || [])[1] || 0) / 1024;
  process.stdout.write(
    `${JSON.stringify({ concurrency, threadpool: Number(process.env.UV_THREADPOOL_SIZE || 4), verifies: done, seconds, perSecond: done / seconds, hwmMb })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`argon2-raw: ${error.stack || error}\n`);
  process.exit(1);
});
