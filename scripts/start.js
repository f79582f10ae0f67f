'use strict';
/**
 * `npm start`: builds dist/ only when it was not built from the current sources
 * (scripts/build-stamp.js), then runs the server, `node dist/main.js`, as a child process:
 * - with MALLOC_ARENA_MAX=1 in its environment (unless set otherwise): glibc reads it when the
 *   process starts, so it cannot be set from inside the server (bench/RESULTS.md says why 1);
 * - with --expose-gc, which lets an idle server collect its heap once
 *   (src/common/memory/idle-heap-collection.ts);
 * - SIGTERM, SIGINT and SIGHUP are passed on to it (the server finishes in-flight requests and
 *   stops the embedded PostgreSQL), and this process exits with the server's exit code, or
 *   128 + n when the server died of signal n;
 * - when npm itself goes away (npm passes SIGTERM and SIGINT on to its script but dies of SIGHUP
 *   or SIGKILL), the server is stopped as on SIGTERM rather than left running on its own.
 *
 * package.json runs it as `exec node scripts/start.js`: npm runs a script through `sh -c`, and
 * Debian's sh (dash) stays in between as the parent of the command. npm sends its signal to that
 * shell, which dies of it and leaves the command running; `exec` makes the shell become this
 * process, so the chain is npm → this launcher → the server.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { constants } = require('node:os');
const path = require('node:path');
const { sourcesDigest, staleReason, writeStamp } = require('./build-stamp');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join('dist', 'main.js');
const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const say = (line) => process.stderr.write(`start: ${line}\n`);

/** The child running now: the build, then the server. */
let current;
/** The first signal received: nothing new is started after it. */
let stopping;

const exitCodeOf = (code, signal) => code ?? 128 + (constants.signals[signal] ?? 0);

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
    current = child;
    child.on('error', (error) => {
      say(`could not run ${args.join(' ')}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      current = undefined;
      resolve(exitCodeOf(code, signal));
    });
  });
}

function forward(signal) {
  stopping ??= signal;
  if (current && current.exitCode === null && current.signalCode === null) current.kill(signal);
}

for (const signal of FORWARDED) process.on(signal, () => forward(signal));

if (process.env.npm_lifecycle_event !== undefined) {
  const npm = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === npm) return;
    clearInterval(watch);
    say('npm exited: stopping the server');
    forward('SIGTERM');
  }, 500);
  watch.unref();
}

function nestCli() {
  try {
    return require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
  } catch {
    return undefined;
  }
}

async function main() {
  const digest = sourcesDigest(ROOT);
  const reason = staleReason(ROOT, digest);
  if (reason === undefined) {
    say('dist/ is up to date, not building');
  } else {
    const nest = nestCli();
    if (!nest && fs.existsSync(path.join(ROOT, MAIN))) {
      say(`${reason}, but @nestjs/cli is not installed (npm install without --omit=dev): starting dist/ as it is`);
    } else if (!nest) {
      say(`${reason} and @nestjs/cli is not installed: run npm install (with the dev dependencies), then npm start`);
      return 1;
    } else {
      say(`building dist/ (${reason})`);
      const code = await run([nest, 'build'], process.env);
      if (code !== 0) return code;
      writeStamp(ROOT, digest);
      say('built dist/');
    }
  }
  if (stopping) return exitCodeOf(null, stopping);
  return run(['--expose-gc', MAIN], { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || '1' });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    say(`failed: ${error.stack ?? error}`);
    process.exit(1);
  },
);
