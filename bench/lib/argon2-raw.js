// @ts-check
'use strict';
/**
 * Raw argon2id operations per second, `concurrency` in flight (the server's HASH_CONCURRENCY):
 * verifies of one hash (`mode: "verify"`, the default: what a login costs), or new hashes with the
 * app's parameters and a fresh salt each (`mode: "hash"`: what a registration costs). Run as a
 * child process with the server's UV_THREADPOOL_SIZE in its environment, so that both use a
 * thread pool of the same size.
 * Usage: node bench/lib/argon2-raw.js '<json: concurrency, duration, password, hash | mode: "hash", params>'
 */
const fs = require('node:fs');
const argon2 = require('argon2');

/**
 * @typedef {object} Options
 * @property {'verify' | 'hash'} [mode]
 * @property {number} concurrency
 * @property {number} duration seconds
 * @property {string} password
 * @property {string} [hash] the hash to verify
 * @property {import('./types').Argon2Parameters} [params] the parameters of new hashes
 */

async function main() {
  /** @type {Options} */
  const { mode = 'verify', concurrency, duration, password, hash, params } = JSON.parse(process.argv[2]);
  /** @type {() => Promise<void>} */
  let once;
  if (mode === 'hash') {
    if (!params) throw new Error('mode "hash" needs params');
    const options = { ...params, type: /** @type {0 | 1 | 2} */ (params.type) };
    once = async () => {
      await argon2.hash(password, options);
    };
  } else {
    if (!hash) throw new Error('mode "verify" needs a hash');
    once = async () => {
      if (!(await argon2.verify(hash, password))) throw new Error('verify failed');
    };
  }
  // One operation first, outside the clock (loads the native module and warms the pool).
  await once();
  let done = 0;
  const started = performance.now();
  const endAt = started + duration * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      await once();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const hwmMb = Number((/^VmHWM:\s+(\d+)/m.exec(status) || [])[1] || 0) / 1024;
  const threadpool = Number(process.env.UV_THREADPOOL_SIZE || 4);
  process.stdout.write(
    `${JSON.stringify({ mode, concurrency, threadpool, operations: done, verifies: mode === 'verify' ? done : undefined, seconds, perSecond: done / seconds, hwmMb })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`argon2-raw: ${error.stack || error}\n`);
  process.exit(1);
});
