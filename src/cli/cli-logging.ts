import { LoggerService } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from '../logging/root-logger';
import { note } from './cli-io';

/** Nest's warnings and errors on stderr, one line each (Nest's console logger prints warnings on stdout). */
export class CliLogger implements LoggerService {
  constructor(private readonly showInfo = false) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (this.showInfo) this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warning', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  debug(): void {}

  private write(level: string, message: unknown, rest: unknown[]): void {
    // Nest passes the context last, and a stack before it for errors.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    note(`${level}${context ? ` [${context}]` : ''}: ${text}`);
    const stack = rest.length > 1 ? rest[0] : undefined;
    if (this.showInfo && typeof stack === 'string') note(stack);
  }
}

const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'error' };

/**
 * The root pino logger the application modules expect, writing one readable line per entry on
 * stderr: warnings and errors, or everything LOG_LEVEL allows when `showInfo`.
 */
export function createCliRootLogger(config: AppConfig, showInfo: boolean): Logger {
  const destination: DestinationStream = {
    write(line: string) {
      try {
        const entry = JSON.parse(line) as { level: number; msg?: string; context?: string };
        note(`${PINO_LEVELS[entry.level] ?? 'log'}${entry.context ? ` [${entry.context}]` : ''}: ${entry.msg ?? ''}`);
      } catch {
        process.stderr.write(line);
      }
    },
  };
  const root = createRootLogger(config, destination);
  const quieter = ['error', 'fatal', 'silent'].includes(config.logLevel) ? config.logLevel : 'warn';
  root.level = showInfo ? config.logLevel : quieter;
  return root;
}
