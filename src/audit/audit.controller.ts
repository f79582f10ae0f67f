import { Controller, Get, HttpCode, HttpStatus, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SuperuserOnly } from '../common/decorators/superuser-only.decorator';
import { AuditQueryService } from './audit-query.service';
import { AuditEventPageDto, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('admin')
@SuperuserOnly()
@Controller('admin/audit-events')
export class AuditController {
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
