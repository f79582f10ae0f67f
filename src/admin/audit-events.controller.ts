import { Controller, Get, HttpCode, HttpStatus, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditQueryService } from '../audit/audit-query.service';
import { SuperuserOnly } from '../sessions/superuser-only.decorator';
import { AuditEventPageDto, AuditQueryDto } from './dto/audit-query.dto';

/** The audit trail's read route (the trail itself is written by the audit module). */
@ApiTags('admin')
@SuperuserOnly()
@Controller('admin/audit-events')
export class AuditEventsController {
  constructor(private readonly auditQuery: AuditQueryService) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminAuditEvents', summary: 'The security audit trail, newest first' })
  @ApiResponse({ status: 200, type: AuditEventPageDto })
  @ApiBadRequestResponse({ description: 'Bad query parameter or cursor' })
  list(@Query() query: AuditQueryDto): Promise<AuditEventPageDto> {
    return this.auditQuery.list(query);
  }
}
