// @ts-check
'use strict';
/**
 * Open-loop login flood: sends `rate` requests per second whatever the server answers (autocannon's
 * closed loop would slow down with the server and hide a pile-up), and records the latency of each
 * answer by status, so that a fast 503/429 is told apart from a slow 200.
 * Usage: node bench/lib/flood.js '<json: url, rate, duration, bodies[], timeoutMs>'
 */
const http = require('node:http');

/**
 * @param {number[]} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/**
 * @param {number[]} latencies
 * @returns {import('./types').FloodStatus}
 */
function describe(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

async function main() {
  /** @type {{ url: string, rate: number, duration: number, bodies: string[], timeoutMs?: number }} */
  const { url, rate, duration, bodies, timeoutMs = 30_000 } = JSON.parse(process.argv[2]);
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2048 });
  /** @type {Map<string, number[]>} */
  const byStatus = new Map();
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let errors = 0;
  let timeouts = 0;
  const started = performance.now();
  const endAt = started + duration * 1000;

  const fire = () => {
    const body = bodies[sent % bodies.length];
    sent += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const t0 = performance.now();
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight -= 1;
          const status = String(res.statusCode);
          const latencies = byStatus.get(status) || [];
          latencies.push(performance.now() - t0);
          byStatus.set(status, latencies);
        });
      },
    );
    req.on('timeout', () => {
      timeouts += 1;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      inFlight -= 1;
      errors += 1;
    });
    req.end(body);
  };

  await new Promise(
    /** @param {(value?: unknown) => void} resolve */ (resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        const due = Math.floor(((Math.min(now, endAt) - started) / 1000) * rate);
        while (sent < due) fire();
        if (now >= endAt) {
          clearInterval(tick);
          resolve();
        }
      }, 5);
    },
  );
  const sendSeconds = (performance.now() - started) / 1000;
  // Let every request finish (or time out): a pile-up shows as a long tail here.
  const drainStarted = performance.now();
  while (inFlight > 0 && performance.now() - drainStarted < timeoutMs + 1000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  /** @type {Record<string, import('./types').FloodStatus>} */
  const statuses = {};
  for (const [status, latencies] of byStatus) statuses[status] = describe(latencies);
  process.stdout.write(
    `${JSON.stringify({
      rate,
      sent,
      sendSeconds,
      drainSeconds: (performance.now() - drainStarted) / 1000,
      maxInFlight,
      errors,
      timeouts,
      statuses,
    })}\n`,
  );
  agent.destroy();
}

main().catch((error) => {
  process.stderr.write(`flood: ${error.stack || error}\n`);
  process.exit(1);
});
