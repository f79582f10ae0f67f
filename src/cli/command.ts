import type { INestApplicationContext } from '@nestjs/common';
import type { ParseArgsConfig } from 'node:util';
import type { AppConfig } from '../config/app-config';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/**
 * One CLI command. `prepare` runs before the database and Nest start, so that checks that need
 * neither (a missing file) fail fast; `run` gets the application context and returns the exit code.
 */
export interface Command<Prepared = unknown> {
  name: string;
  /** Arguments as the user types them, after the command name. */
  synopsis: string;
  description: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Names of the positional arguments, all required. */
  positionals: string[];
  /** Checks the arguments; throws UsageError. */
  validate?(args: ParsedArgs): void;
  prepare?(args: ParsedArgs, config: AppConfig): Promise<Prepared>;
  run(app: INestApplicationContext, args: ParsedArgs, prepared: Prepared, config: AppConfig): Promise<number>;
}
