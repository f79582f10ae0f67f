// @ts-check
'use strict';
/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time by package and by function.
 * Usage: node bench/profile-summary.js <file.cpuprofile | folder> [top functions, default 25]
 * A folder: every .cpuprofile in it (the newest is the server's when one process was profiled).
 * See bench/PROFILE.md for how the profiles of the request path were taken.
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number },
 *   children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[],
 *   startTime: number, endTime: number }} Profile
 */

/** Where a frame belongs: `node_modules/<pkg>` (scoped too), the app, Node's core, native code or V8. */
function packageOf(/** @type {string} */ url, /** @type {string} */ name) {
  if (name === '(garbage collector)') return 'V8: garbage collector';
  if (name === '(program)' || name === '(root)') return 'V8: (program)';
  if (!url) return 'native (syscalls, bindings, microtask queue)';
  if (url.startsWith('node:')) return 'node (core)';
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) {
    const parts = url.slice(i + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.includes('/dist/')) return 'gatehouse (dist/)';
  return url;
}

/** @param {Profile} profile */
function selfTimes(profile) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const micros = new Map();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  /** @type {Map<string, number>} */ const byPackage = new Map();
  /** @type {Map<string, number>} */ const byFunction = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of micros) {
    const frame = /** @type {ProfileNode} */ (byId.get(id)).callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const file = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${file} [${pkg}]`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return { byPackage, byFunction, total, idle };
}

/** @param {Map<string, number>} map @param {number} total @param {number} top */
function table(map, total, top) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) => `| ${name.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} ms | ${((100 * us) / total).toFixed(1)} % |`,
    )
    .join('\n');
}

function main() {
  const target = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!target) {
    process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile | folder> [top]\n');
    process.exit(2);
  }
  const files = fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(target, f))
    : [target];
  for (const file of files) {
    /** @type {Profile} */
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    const { byPackage, byFunction, total, idle } = selfTimes(profile);
    process.stdout.write(
      `## ${path.basename(file)}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle\n\n` +
        `| package | self time | share of busy |\n|---|---|---|\n${table(byPackage, total, 15)}\n\n` +
        `| function | self time | share of busy |\n|---|---|---|\n${table(byFunction, total, top)}\n\n`,
    );
  }
}

main();
