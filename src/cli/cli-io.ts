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

/** Characters typed after the line a prompt consumed (a paste of both lines), for the next prompt. */
let typedAhead = '';

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const consume = (text: string): boolean => {
      const chars = [...text];
      for (let index = 0; index < chars.length; index += 1) {
        const char = chars[index];
        if (char === '\r' || char === '\n') {
          typedAhead = chars
            .slice(index + 1)
            .join('')
            .replace(/^\n/, '');
          finish();
          resolve(value);
          return true;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          finish();
          reject(new InterruptedError());
          return true;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
      return false;
    };
    const onData = (chunk: Buffer | string) => void consume(chunk.toString());
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.on('data', onData);
    const earlier = typedAhead;
    typedAhead = '';
    if (!consume(earlier)) stdin.resume();
  });
}

/**
 * A password from a prompt (echo off, asked twice) when stdin is a terminal, otherwise the first
 * line of stdin (`echo "$PW" | …`, `… < file`). Only the line break is removed.
 */
export async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await promptHidden(prompt);
    const second = await promptHidden('Repeat it: ');
    if (first !== second) throw new CliError('the two passwords differ; nothing was changed');
    return first;
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
