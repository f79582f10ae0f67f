import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Contexts whose errors Nest logs and then hands to the caller anyway: ExceptionHandler (with
 * abortOnError: false) and NestApplication (a failed listen). The caller reports the failure once
 * (main.ts: "start-up failed: …"), so these lines are left out rather than written twice.
 */
const REPORTED_BY_CALLER = new Set(['ExceptionHandler', 'NestApplication']);

/** Nest passes the context last (a string), and for errors a stack before it. */
function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/**
 * Nest's own messages as lines of the root pino logger, from the first one NestFactory.create
 * writes (Nest's coloured console logger is never used). Once the app exists, nestjs-pino's logger
 * takes over (app.useLogger, through `withoutRethrownErrors`), adding the request id to lines
 * written while a request is handled.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (REPORTED_BY_CALLER.has(contextOf(rest) ?? '')) return;
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

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = contextOf(rest);
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) {
      this.root[level]({ context, err: message }, message.message);
    } else {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      this.root[level](stack ? { context, stack } : { context }, text);
    }
  }
}

/** `inner` without the errors that the caller reports itself (see REPORTED_BY_CALLER). */
export class WithoutRethrownErrors implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (!REPORTED_BY_CALLER.has(contextOf(rest) ?? '')) this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}
