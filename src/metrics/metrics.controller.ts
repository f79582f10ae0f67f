import { Controller, Get, Header, HttpCode, HttpStatus, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @UseGuards(MetricsTokenGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics (Bearer METRICS_TOKEN when configured)' })
  @ApiResponse({ status: 200, description: 'Prometheus text format' })
  @ApiResponse({ status: 401, description: 'METRICS_TOKEN is set and was not presented' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
