import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Nest's own messages as lines of the root pino logger, from the first one NestFactory.create
 * writes (Nest's coloured console logger is never used). Once the app exists, nestjs-pino's logger
 * takes over (app.useLogger), adding the request id to lines written while a request is handled.
 *
 * Nest's ExceptionHandler logs an error that it then rethrows (abortOnError: false); the caller
 * reports it once (main.ts: "start-up failed: …"), so it is not logged here a second time.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (this.contextOf(rest) === 'ExceptionHandler') return;
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes the context last (a string), and for errors a stack before it. */
  private contextOf(rest: unknown[]): string | undefined {
    const last = rest[rest.length - 1];
    return typeof last === 'string' ? last : undefined;
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = this.contextOf(rest);
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) {
      this.root[level]({ context, err: message }, message.message);
    } else {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      this.root[level](stack ? { context, stack } : { context }, text);
    }
  }
}
