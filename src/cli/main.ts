import { AppConfig } from '../config/app-config';
import { ConfigError, loadConfigFromProcessEnv } from '../config/load-config';
import { Invocation, parseInvocation, usage } from './cli-args';
import { holdTerminalInput, note, out, redirectConsoleToStderr, UsageError } from './cli-io';
import { COMMANDS } from './commands';

/**
 * The operations CLI: `npm run cli -- <command>` or `node dist/cli/main.js <command>`.
 * Same configuration as the service (main.ts): the environment, validated; the embedded
 * PostgreSQL under DATA_DIR when DATABASE_URL is unset; migrations run when Nest starts.
 * Exit codes: 0 success, 1 failure, 2 wrong usage. This file stays light: the application is
 * loaded (./run) only once the arguments and the configuration are known to be good.
 */

type Run = typeof import('./run');

let run: Run | undefined;
// Loaded on demand: usage and config errors answer without loading Nest and TypeORM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadRun = (): Run => (run ??= require('./run') as Run);

function readConfig(): AppConfig | undefined {
  try {
    return loadConfigFromProcessEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      note(`Configuration error: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  redirectConsoleToStderr();
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, COMMANDS);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    note(`error: ${error.message}\n`);
    note(
      usage(
        COMMANDS,
        COMMANDS.find((candidate) => candidate.name === error.command),
      ),
    );
    return 2;
  }
  if (invocation.help) {
    out(usage(COMMANDS, invocation.command));
    return 0;
  }
  // Keys typed from now on (while the application loads) are not echoed: they may be the password.
  if (invocation.command.readsPassword) holdTerminalInput();
  const config = readConfig();
  if (!config) return 1;
  return loadRun().execute(invocation.command, invocation.args, config);
}

function exit(code: number): void {
  // Wait for stdout to drain (a pipe to a slow reader) before exiting.
  process.stdout.write('', () => process.exit(code));
}

async function stop(code: number): Promise<void> {
  await run?.cleanUp().catch(() => undefined);
  exit(code);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.once(signal, () => {
    note(`${signal} received: stopping`);
    void stop(code);
  });
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  note(`error: ${(error as Error)?.stack ?? String(error)}`);
  void stop(1);
});
