import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Debian's haproxy (scripts/ensure-test-tools.sh installs it). */
export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/** The shipped configuration, deploy/haproxy.cfg, as docker-compose.yml mounts it. */
export const SHIPPED_HAPROXY_CFG = path.resolve(__dirname, '../../deploy/haproxy.cfg');

/** Top-level sections of an HAProxy configuration: a keyword at the start of a line opens one. */
function sectionsOf(text: string): string[][] {
  const sections: string[][] = [[]];
  for (const line of text.split('\n')) {
    if (/^[a-z]/.test(line)) sections.push([]);
    sections[sections.length - 1].push(line);
  }
  return sections;
}

function replaceOnce(lines: string[], pattern: RegExp, replacement: string[]): string[] {
  const matches = lines.filter((line) => pattern.test(line));
  if (matches.length !== 1) throw new Error(`deploy/haproxy.cfg: expected one line matching ${pattern}, found ${matches.length}`);
  return lines.flatMap((line) => (pattern.test(line) ? replacement : [line]));
}

/**
 * deploy/haproxy.cfg for this machine: every setting kept (timeouts, retries, health checks,
 * forwardfor) except where the servers are. The `resolvers` section (Docker's DNS) goes, the
 * `server-template` line becomes one `server` line per given port on 127.0.0.1, and the frontend
 * binds 127.0.0.1:`port`; with `statsPort`, a stats listener is added. Throws when the shipped file no longer has the lines it swaps.
 */
export function localHaproxyConfig(port: number, serverPorts: number[], statsPort?: number): string {
  const sections = sectionsOf(readFileSync(SHIPPED_HAPROXY_CFG, 'utf8'));
  const kept = sections.filter((section) => !/^resolvers\b/.test(section[0] ?? ''));
  if (kept.length !== sections.length - 1) {
    throw new Error('deploy/haproxy.cfg: expected one resolvers section');
  }
  let lines = kept.flat();
  lines = replaceOnce(lines, /^\s+bind :3000\s*$/, [`    bind 127.0.0.1:${port}`]);
  lines = replaceOnce(
    lines,
    /^\s+server-template app \d+ app:3000 check resolvers docker init-addr none\s*$/,
    serverPorts.map((serverPort, index) => `    server app${index + 1} 127.0.0.1:${serverPort} check`),
  );
  // Only to watch the servers' state (CSV at /stats;csv); nothing of the proxying changes.
  if (statsPort !== undefined) {
    lines.push('', 'listen stats', `    bind 127.0.0.1:${statsPort}`, '    stats enable', '    stats uri /stats');
  }
  return `${lines.join('\n')}\n`;
}

/** The state HAProxy holds of each server of the `app` backend (UP, DOWN, …), by server name. */
export async function haproxyServerStates(statsPort: number): Promise<Record<string, string>> {
  const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const columns = header.split(',');
  const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name));
  return Object.fromEntries(
    rows
      .map((row) => row.split(','))
      .filter((cells) => cells[proxy] === 'app' && cells[server] !== 'BACKEND')
      .map((cells) => [cells[server], cells[status]]),
  );
}

/** `haproxy -c -f file`: the exit code and what it said. */
export function checkHaproxyConfig(file: string): { status: number | null; output: string } {
  const result = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** haproxy in the foreground (`-db`), its output kept for a failure's message. */
export function spawnHaproxy(file: string): { process: ChildProcess; output: () => string; exited: Promise<unknown> } {
  const child = spawn(HAPROXY, ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { process: child, output: () => output, exited };
}
