import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { prepareRuntime } from '../runtime';
import { StorageUnavailableError } from '../user-storage/user-storage.service';
import { usage } from './cli-args';
import { CliModule } from './cli.module';
import { CliError, InterruptedError, note, UsageError } from './cli-io';
import { CliLogger } from './cli-logging';
import { CommandSpec, ParsedArgs } from './command';
import { COMMANDS } from './commands';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/** Undone in reverse order on exit, on failure and on SIGINT/SIGTERM. */
const cleanups: Array<() => Promise<void>> = [];

export async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
}

function describe(error: unknown, verbose: boolean): string {
  if (error instanceof StorageUnavailableError) {
    return `user storage unavailable: ${(error.cause as Error)?.message ?? 'unknown cause'} (is DATA_DIR writable?)`;
  }
  if (error instanceof AppError) {
    const detail = error.detail as { reason?: unknown } | string;
    return typeof detail === 'string' ? detail : String(detail.reason ?? error.code);
  }
  const message = (error as Error)?.message ?? String(error);
  return verbose && (error as Error)?.stack ? (error as Error).stack! : message;
}

/**
 * As main.ts does for the service: the embedded PostgreSQL under DATA_DIR when DATABASE_URL is
 * unset (or the one a running service started there), the JWT secret, then the application
 * context, whose start runs the migrations.
 */
async function startContext(loaded: AppConfig, verbose: boolean): Promise<INestApplicationContext> {
  if (!loaded.databaseUrl) note(`DATABASE_URL is not set: using the embedded PostgreSQL under ${loaded.dataDir}`);
  const runtime = await prepareRuntime(loaded, { log: () => undefined, warn: (message) => note(`warning: ${message}`) });
  cleanups.push(() => runtime.stop());
  const { config } = runtime;
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: new CliLogger(verbose),
    abortOnError: false,
  });
  cleanups.push(() => app.close());
  return app;
}

export async function execute(command: CommandSpec, args: ParsedArgs, config: AppConfig): Promise<number> {
  const verbose = ['debug', 'trace'].includes(config.logLevel);
  try {
    const handler = command.load();
    handler.validate?.(args);
    const prepared = await handler.prepare?.(args, config);
    const app = await startContext(config, verbose);
    return await handler.run(app, args, prepared, config);
  } catch (error) {
    if (error instanceof UsageError) {
      note(`error: ${error.message}\n`);
      note(usage(COMMANDS, command));
      return EXIT_USAGE;
    }
    if (error instanceof InterruptedError) {
      note('interrupted: nothing was changed');
      return EXIT_INTERRUPTED;
    }
    note(`error: ${describe(error, verbose && !(error instanceof CliError))}`);
    return EXIT_FAILURE;
  } finally {
    await cleanUp();
  }
}
