import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { currentRequestId } from './request-log-context';

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
 * Nest's own messages (and every `new Logger(context)` of ours) as lines of the root pino logger,
 * from the first one NestFactory.create writes (Nest's coloured console logger is never used). A
 * line written while a request is handled carries its id as `request_id` (request-log-context.ts).
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
    if (!this.root.isLevelEnabled(level)) return;
    const context = contextOf(rest);
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const requestId = currentRequestId();
    const fields: Record<string, unknown> = requestId === undefined ? { context } : { context, request_id: requestId };
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      this.root[level](stack ? { ...fields, stack } : fields, text);
    }
  }
}
