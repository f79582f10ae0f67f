import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator';
import { UserStorageService } from '../user-storage/user-storage.service';
import { OutboxIndicator } from './outbox.indicator';
import { ShutdownState } from './shutdown-state';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly storage: UserStorageService,
    private readonly outbox: OutboxIndicator,
    private readonly shutdown: ShutdownState,
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
      // Not ready from the moment SIGTERM arrives, while the instance still serves (SHUTDOWN_DRAIN_SECONDS).
      () =>
        this.indicators.check('shutdown').attempt(() => {
          if (this.shutdown.isDraining) throw new Error('shutting down');
        }),
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
          // Where user trees are made and archived, not only DATA_DIR (docs/API.md §16 Operations routes).
          .attempt(() => this.storage.probeWritable())
          .withTimeout(3000),
      ...this.outbox.checks(),
    ]);
  }
}
