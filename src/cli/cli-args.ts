import { parseArgs } from 'node:util';
import { UsageError } from './cli-io';
import { CommandSpec, ParsedArgs } from './command';

export type Invocation = { help: true; command?: CommandSpec } | { help: false; command: CommandSpec; args: ParsedArgs };

const PROGRAM = 'npm run cli --';

export function usage(commands: readonly CommandSpec[], only?: CommandSpec): string {
  const shown = only ? [only] : commands;
  const what = only ? only.name : '<command>';
  const lines = [`Usage: ${PROGRAM} ${what} [options]   (or: node dist/cli/main.js ${what} [options])`, ''];
  for (const command of shown) {
    lines.push(`  ${[command.name, command.synopsis].filter(Boolean).join(' ')}`);
    lines.push(...wrap(command.description, 92).map((line) => `      ${line}`));
  }
  lines.push(
    '',
    'Configuration comes from the same environment as the service (DATABASE_URL, DATA_DIR, JWT_SECRET…);',
    'without DATABASE_URL the embedded PostgreSQL under DATA_DIR is used.',
    'Exit codes: 0 success, 1 failure, 2 wrong usage.',
  );
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** `<command> [options] [positionals]`; throws UsageError. */
export function parseInvocation(argv: readonly string[], commands: readonly CommandSpec[]): Invocation {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no command given');
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = commands.find((candidate) => candidate.name === rest[0]);
    return { help: true, command };
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'`);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs' messages name the option; drop its advice about '--' which does not apply here.
    const message = (error as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(message, command.name);
  }
  const values = parsed.values as ParsedArgs['values'];
  if (values.help) return { help: true, command };
  const expected = command.positionals;
  if (parsed.positionals.length < expected.length) {
    throw new UsageError(`missing <${expected[parsed.positionals.length]}>`, command.name);
  }
  if (parsed.positionals.length > expected.length) {
    throw new UsageError(`unexpected argument '${parsed.positionals[expected.length]}'`, command.name);
  }
  const missing = (command.requiredOptions ?? []).find((name) => values[name] === undefined);
  if (missing) throw new UsageError(`--${missing} is required`, command.name);
  return { help: false, command, args: { values, positionals: parsed.positionals } };
}
