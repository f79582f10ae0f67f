// @ts-check
'use strict';
/**
 * Counts the server's PostgreSQL round trips (docs/SCALING.md): preload it into the built server,
 *
 *   node -r ./bench/count-queries.js dist/main.js
 *
 * send requests, then `kill -USR2 <pid>`: one line `queries {...}` on stderr, the counts since the
 * last signal by statement (the first 70 characters; graphile-worker's own statements as "mail
 * queue", LISTEN as "listen"), and the counts start again. Every pg.Client query is counted, so
 * the app's pool, the session cache's listener and the mail worker's pool alike.
 */
const Module = require('node:module');

/** @type {Record<string, number>} */
const counts = {};
const loader = /** @type {{ _load: (request: string, ...rest: unknown[]) => unknown }} */ (/** @type {unknown} */ (Module));
const load = loader._load;
let patched = false;
/** @param {string} request @param {...unknown} rest */
loader._load = function (request, ...rest) {
  const loaded = load.call(this, request, ...rest);
  if (request === 'pg' && !patched) {
    patched = true;
    const { Client } = /** @type {typeof import('pg')} */ (loaded);
    const query = /** @type {(...args: unknown[]) => unknown} */ (Client.prototype.query);
    /** @this {unknown} @param {...unknown} args */
    const counted = function (...args) {
      const first = /** @type {string | { text?: string } | undefined} */ (args[0]);
      const text = typeof first === 'string' ? first : (first?.text ?? '');
      const key = /graphile_worker/.test(text)
        ? 'mail queue'
        : /^\s*LISTEN/.test(text)
          ? 'listen'
          : text.replace(/\s+/g, ' ').trim().slice(0, 70);
      counts[key] = (counts[key] ?? 0) + 1;
      return query.apply(this, args);
    };
    Client.prototype.query = /** @type {typeof Client.prototype.query} */ (/** @type {unknown} */ (counted));
  }
  return loaded;
};

process.on('SIGUSR2', () => {
  process.stderr.write(`queries ${JSON.stringify(counts)}\n`);
  for (const key of Object.keys(counts)) delete counts[key];
});
