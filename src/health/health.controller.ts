import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator';
import { AppConfig } from '../config/app-config';
import { OutboxIndicator } from './outbox.indicator';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly outbox: OutboxIndicator,
  ) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'healthLive', summary: 'The process is up (no dependency checked)' })
  @ApiResponse({ status: 200, description: '{"status": "ok"}' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthReady', summary: 'Database reachable, migrations applied, storage writable' })
  @ApiResponse({ status: 200, description: 'Ready' })
  @ApiResponse({ status: 503, description: 'Not ready; the failing check is named' })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { connection: this.dataSource, timeout: 1500 }),
      () =>
        this.indicators
          .check('migrations')
          .attempt(async () => {
            if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
          })
          .withTimeout(3000),
      () =>
        this.indicators
          .check('storage')
          .attempt(async () => {
            const probe = path.join(this.config.dataDir, `.ready-${randomBytes(6).toString('hex')}`);
            await fs.writeFile(probe, 'ok');
            await fs.rm(probe, { force: true });
          })
          .withTimeout(3000),
      ...this.outbox.checks(),
    ]);
  }
}
