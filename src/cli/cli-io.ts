import { StringDecoder } from 'node:string_decoder';
import { format } from 'node:util';

/** A failure the operator can act on: one line on stderr and exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments: the message and the usage on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Ctrl-C at a prompt. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/** The audit trail's user agent for everything the CLI does (there is no HTTP client). */
export const CLI_USER_AGENT = 'gatehouse-cli';

/** What the command prints for its caller: stdout, nothing else goes there. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Notes, warnings and errors for the operator: stderr. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Libraries print with console.log (TypeORM's migration messages, for instance); on stdout they
 * would corrupt `list-users --json`. The CLI writes its own output with `out`, so the console
 * goes to stderr.
 */
export function redirectConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The terminal while a password may be typed. In its normal (cooked) mode the terminal echoes
 * every key at once, also keys typed before the prompt appears (while the application loads), so a
 * password typed ahead would be shown. `hold` turns echo off (raw mode) as soon as the command is
 * known to prompt, keeps what arrives, and the prompts read their lines from it; `release`
 * restores the terminal, which also happens on every exit.
 */
class HeldTerminal {
  private held = false;
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private wake: (() => void) | undefined;

  private readonly onData = (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (!this.wake && text.includes('\u0003')) {
      // Ctrl-C while no prompt is shown: what the terminal would have done in its normal mode.
      process.kill(process.pid, 'SIGINT');
      return;
    }
    this.buffer += text;
    this.wake?.();
  };

  hold(): void {
    const stdin = process.stdin;
    if (this.held || !stdin.isTTY) return;
    this.held = true;
    stdin.setRawMode(true);
    stdin.on('data', this.onData);
    stdin.resume();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    process.stdin.off('data', this.onData);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }

  /** The next line typed (ahead or now), without echo; Ctrl-C, or Ctrl-D on an empty line: InterruptedError. */
  async readLine(): Promise<string> {
    this.hold();
    for (;;) {
      const line = this.takeLine();
      if (line !== undefined) return line;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private takeLine(): string | undefined {
    const chars = [...this.buffer];
    let value = '';
    for (let index = 0; index < chars.length; index += 1) {
      const char = chars[index];
      if (char === '\r' || char === '\n') {
        // A pasted "\r\n" is one line break.
        const next = char === '\r' && chars[index + 1] === '\n' ? index + 2 : index + 1;
        this.buffer = chars.slice(next).join('');
        return value;
      }
      if (char === '\u0003' || (char === '\u0004' && value === '')) {
        this.buffer = '';
        throw new InterruptedError();
      }
      if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
      else if (char >= ' ') value += char;
    }
    return undefined;
  }
}

const terminal = new HeldTerminal();
process.on('exit', () => terminal.release());

/**
 * For a command that will prompt for a password: when stdin is a terminal, echo goes off now, and
 * what is typed from here on is kept for the prompt (see HeldTerminal).
 */
export function holdTerminalInput(): void {
  terminal.hold();
}

async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  try {
    return await terminal.readLine();
  } finally {
    process.stderr.write('\n');
  }
}

/**
 * A password from a prompt (echo off, asked twice) when stdin is a terminal, otherwise the first
 * line of stdin (`echo "$PW" | …`, `… < file`). Only the line break is removed.
 */
export async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    try {
      const first = await promptHidden(prompt);
      const second = await promptHidden('Repeat it: ');
      if (first !== second) throw new CliError('the two passwords differ; nothing was changed');
      return first;
    } finally {
      terminal.release();
    }
  }
  const input = await readAll(process.stdin);
  const line = input.split(/\r?\n/)[0] ?? '';
  if (line === '') {
    throw new CliError(
      'no password given: pipe it on stdin (printf "%s\\n" "$PASSWORD" | …) or run in a terminal to be prompted',
    );
  }
  return line;
}

/** What the audit trail records for a change made at the CLI. */
export function cliContext(): { ip: null; userAgent: string; requestId: string } {
  return { ip: null, userAgent: CLI_USER_AGENT, requestId: `cli-${process.pid}-${Date.now().toString(36)}` };
}
