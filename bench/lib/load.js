// @ts-check
'use strict';
/**
 * One autocannon run, in its own process (never inside the server, never inside the orchestrator).
 * Usage: node bench/lib/load.js '<json options>'  → prints one JSON summary line on stdout.
 *
 * Options: url, method, headers, body, connections, duration (s), overallRate (req/s, optional),
 * tokens (bearer tokens, used round-robin, one per request), bodies (request bodies, round-robin),
 * bodyTemplate (a body whose `[<id>]` placeholders get an id unique to each request), timeout (s).
 */
const crypto = require('node:crypto');
const autocannon = require('autocannon');

/**
 * @param {autocannon.Result} result
 * @returns {import('./types').LoadRun}
 */
function summarise(result) {
  const completed = result.requests.total;
  const seconds = result.duration;
  /** @type {Record<string, number>} */
  const statusCodes = {};
  const byCode = /** @type {Record<string, { count: number }>} */ (result.statusCodeStats || {});
  for (const [code, stats] of Object.entries(byCode)) statusCodes[code] = stats.count;
  return {
    requests: completed,
    seconds,
    rps: seconds > 0 ? completed / seconds : 0,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

async function main() {
  /** @type {import('./types').LoadOptions} */
  const options = JSON.parse(process.argv[2]);
  const tokens = options.tokens || [];
  const bodies = options.bodies || [];
  const template = options.bodyTemplate;
  // unique across processes (a random prefix) and within this one (a counter); autocannon's own
  // `idReplacement` is not used: it sizes Content-Length for a longer id than it inserts
  const prefix = crypto.randomBytes(4).toString('hex');
  let next = 0;
  const dynamic = tokens.length > 0 || bodies.length > 0 || template !== undefined;
  /** @type {autocannon.Request} */
  const request = dynamic
    ? {
        setupRequest(req) {
          const i = next++;
          const headers = { ...(req.headers || {}) };
          if (tokens.length) headers.authorization = `Bearer ${tokens[i % tokens.length]}`;
          const out = { ...req, headers };
          if (bodies.length) out.body = bodies[i % bodies.length];
          if (template !== undefined) out.body = template.replace(/\[<id>\]/g, `${prefix}-${i}`);
          return out;
        },
      }
    : {};
  const result = await autocannon({
    url: options.url,
    method: /** @type {autocannon.Request['method']} */ (options.method || 'GET'),
    headers: options.headers || {},
    body: options.body,
    connections: options.connections || 10,
    duration: options.duration || 10,
    overallRate: options.overallRate || undefined,
    timeout: options.timeout || 10,
    requests: [request],
  }); // autocannon() prints nothing unless its result is passed to track() or printResult()
  process.stdout.write(`${JSON.stringify(summarise(result))}\n`);
}

main().catch((error) => {
  process.stderr.write(`load: ${error.stack || error}\n`);
  process.exit(1);
});
