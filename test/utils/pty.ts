import { spawn } from 'node:child_process';
import * as path from 'node:path';

const PTY_RUN = path.join(__dirname, 'pty-run.py');

export interface PtyResult {
  /** What the terminal showed before the input was typed. */
  beforeTyping: string;
  /** Everything the terminal showed, echo included. */
  transcript: string;
  /** Echo was off when the input was typed. */
  echoWasOff: boolean;
  code: number | null;
  signal: number | null;
  /** The terminal's modes once the program ended: restored means both true. */
  echoAfter: boolean;
  canonicalAfter: boolean;
}

export interface PtyRun {
  argv: string[];
  env: Record<string, string>;
  /** Typed in one burst as soon as the program turns echo off. */
  input: string;
  /** A signal name sent to the program 0.3 s after typing. */
  signal?: NodeJS.Signals;
}

/** Runs a program on a pseudo-terminal (python3's pty module) and types into it as a person would. */
export function runOnTerminal(run: PtyRun): Promise<PtyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PTY_RUN], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pty-run.py exited with ${code}: ${output}`));
      const raw = JSON.parse(output) as Record<string, unknown>;
      resolve({
        beforeTyping: raw.before_typing as string,
        transcript: raw.transcript as string,
        echoWasOff: raw.echo_was_off as boolean,
        code: raw.code as number | null,
        signal: raw.signal as number | null,
        echoAfter: raw.echo_after as boolean,
        canonicalAfter: raw.canonical_after as boolean,
      });
    });
    child.stdin.end(JSON.stringify({ argv: run.argv, env: run.env, input: run.input, signal: run.signal }));
  });
}
