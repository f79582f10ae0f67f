import { LoggerService } from '@nestjs/common';
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
