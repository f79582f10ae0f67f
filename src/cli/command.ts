import type { INestApplicationContext } from '@nestjs/common';
import type { ParseArgsConfig } from 'node:util';
import type { AppConfig } from '../config/app-config';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/**
 * What a command does. `validate` checks the arguments (throws UsageError); `prepare` runs before
 * the database and Nest start, so that checks that need neither (a missing file) fail fast; `run`
 * gets the application context and returns the exit code.
 */
export interface CommandHandler<Prepared = unknown> {
  validate?(args: ParsedArgs): void;
  prepare?(args: ParsedArgs, config: AppConfig): Promise<Prepared>;
  run(app: INestApplicationContext, args: ParsedArgs, prepared: Prepared, config: AppConfig): Promise<number>;
}

/**
 * How a command is typed. Kept apart from its handler, which is loaded only when the command
 * runs: usage errors, --help and configuration errors answer without loading the application.
 */
export interface CommandSpec {
  name: string;
  /** Arguments as the user types them, after the command name. */
  synopsis: string;
  description: string;
  options: NonNullable<ParseArgsConfig['options']>;
  requiredOptions?: string[];
  /** Names of the positional arguments, all required. */
  positionals: string[];
  /** Prompts for a password when stdin is a terminal: echo goes off as soon as the arguments are parsed. */
  readsPassword?: boolean;
  load(): CommandHandler;
}
