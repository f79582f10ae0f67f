// @ts-check
'use strict';
/**
 * The HTTP-adapter lever: a bare NestJS 12 app with one hello route (`bench/lib/bare.js`), on
 * Express 5 and on Fastify 5, 50 connections, alternated in the same run. platform-express is not
 * a dependency of Gatehouse, so the NestJS packages come from a scratch folder outside the repo:
 *
 *   mkdir -p /tmp/adapter-bench && cd /tmp/adapter-bench && npm init -y >/dev/null &&
 *   npm install @nestjs/core@12 @nestjs/common@12 @nestjs/platform-express@12 \
 *     @nestjs/platform-fastify@12 reflect-metadata rxjs
 *   cd - && node bench/adapter-hello.js /tmp/adapter-bench
 *
 * Writes bench/adapter-results.json, which bench/run.js folds into bench/RESULTS.md ("Levers").
 * autocannon (bench/lib/load.js) runs in its own process, as for the main benchmark.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const CONNECTIONS = 50;
const D = Number(process.env.BENCH_DURATION_S || 8);
const ADAPTERS = /** @type {const} */ (['express', 'fastify']);

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {import('./lib/types').LoadOptions} options
 * @returns {Promise<import('./lib/types').LoadRun>}
 */
function load(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'lib', 'load.js'), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`load exited ${code}`))));
  });
}

/** @param {number} pid */
function hwmMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number((/^VmHWM:\s+(\d+)/m.exec(status) || [])[1] || 0) / 1024;
}

/**
 * @param {string} adapter
 * @param {string} depsDir
 */
async function start(adapter, depsDir) {
  const port = await freePort();
  const options = { port, adapter, route: 'hello', depsDir: path.resolve(depsDir) };
  const child = spawn(process.execPath, [path.join(__dirname, 'lib', 'bare.js'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve(undefined));
    child.on('exit', (code) => reject(new Error(`${adapter} server exited ${code}`)));
  });
  return { child, pid: /** @type {number} */ (child.pid), url: `http://127.0.0.1:${port}/hello` };
}

async function main() {
  const depsDir = process.argv[2];
  if (!depsDir) throw new Error('usage: node bench/adapter-hello.js <folder with the @nestjs packages installed>');
  const servers = { express: await start('express', depsDir), fastify: await start('fastify', depsDir) };
  /** @type {Record<string, import('./lib/types').LoadRun[]>} */
  const runs = { express: [], fastify: [] };
  /** @type {Record<string, unknown>} */
  const result = { date: new Date().toISOString(), connections: CONNECTIONS, seconds: D, node: process.version };
  /** @type {Record<string, number>} */
  const rps = {};
  try {
    for (const s of Object.values(servers)) await load({ url: s.url, connections: CONNECTIONS, duration: 2 });
    for (let r = 0; r < 2; r++) {
      for (const name of ADAPTERS) {
        runs[name].push(await load({ url: servers[name].url, connections: CONNECTIONS, duration: D }));
      }
    }
    for (const name of ADAPTERS) {
      rps[name] = runs[name].reduce((a, r) => a + r.rps, 0) / runs[name].length;
      result[name] = {
        rps: rps[name],
        p99: Math.max(...runs[name].map((r) => r.latency.p99)),
        rssMb: hwmMb(servers[name].pid), // read while the server still runs
        rounds: runs[name].map((r) => Math.round(r.rps)),
      };
    }
  } finally {
    for (const s of Object.values(servers)) s.child.kill('SIGTERM');
  }
  // arrays of numbers on one line, as Prettier writes them
  const json = JSON.stringify(result, null, 2).replace(
    /\[\s+([-\d.,\s]+?)\s+\]/g,
    (_, inner) => `[${inner.split(/,\s*/).join(', ')}]`,
  );
  fs.writeFileSync(path.join(__dirname, 'adapter-results.json'), `${json}\n`);
  process.stdout.write(
    `Express ${Math.round(rps.express)} req/s, Fastify ${Math.round(rps.fastify)} req/s: Fastify ${(rps.fastify / rps.express).toFixed(2)}×\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`adapter-hello: ${error.stack || error}\n`);
  process.exit(1);
});
