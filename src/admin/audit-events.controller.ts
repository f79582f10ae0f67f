import { Controller, Get, HttpCode, HttpStatus, Query, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CONTENT_TYPES } from '../audit/audit-export.format';
import { AuditExportService } from '../audit/audit-export.service';
import { AuditQueryService } from '../audit/audit-query.service';
import { Clock } from '../common/clock/clock';
import { ClientContext, RequestContext } from '../common/http/request-context';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { CurrentUser } from '../sessions/current-user.decorator';
import { SuperuserOnly } from '../sessions/superuser-only.decorator';
import { actorOf } from './actor-of';
import { AuditEventPageDto, AuditExportQueryDto, AuditQueryDto } from './dto/audit-query.dto';

/** The audit trail's read routes (the trail itself is written by the audit module). */
@ApiTags('admin')
@SuperuserOnly()
@Controller('admin/audit-events')
export class AuditEventsController {
  constructor(
    private readonly auditQuery: AuditQueryService,
    private readonly auditExport: AuditExportService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminAuditEvents', summary: 'The security audit trail, newest first' })
  @ApiResponse({ status: 200, type: AuditEventPageDto })
  @ApiBadRequestResponse({ description: 'Bad query parameter or cursor' })
  list(@Query() query: AuditQueryDto): Promise<AuditEventPageDto> {
    return this.auditQuery.list(query);
  }

  @Get('export')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'adminExportAuditEvents',
    summary: 'Every matching event, newest first, streamed as a CSV or NDJSON attachment',
  })
  @ApiResponse({
    status: 200,
    description: 'An attachment: CSV with a header row (RFC 4180), or one JSON event per line',
    content: {
      'text/csv': { schema: { type: 'string' } },
      'application/x-ndjson': { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: 'Bad format or filter' })
  async export(
    @Query() query: AuditExportQueryDto,
    @CurrentUser() principal: AuthPrincipal,
    @ClientContext() context: RequestContext,
  ): Promise<StreamableFile> {
    const { format, ...filter } = query;
    const stream = await this.auditExport.open(filter, format, actorOf(principal), context);
    // 2026-01-02T09:30:00.000Z → 20260102T093000Z: no characters a file name may not hold.
    const stamp = this.clock
      .now()
      .toISOString()
      .replace(/[-:]|\.\d{3}/g, '');
    return new StreamableFile(stream, {
      type: CONTENT_TYPES[format],
      disposition: `attachment; filename="audit-events-${stamp}.${format}"`,
    });
  }
}
