import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** TypeORM's messages through the application's logger (JSON lines, request ids), not the console. */
export class TypeOrmNestLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {
    // Queries are not logged: they may carry values a log must not hold.
  }

  logQueryError(error: string | Error): void {
    this.logger.warn(`query failed: ${error instanceof Error ? error.message : error}`);
  }

  logQuerySlow(time: number): void {
    this.logger.warn(`slow query: ${time} ms`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
