import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientContext, RequestContext } from '../common/http/request-context';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { CurrentUser } from '../sessions/current-user.decorator';
import { SuperuserOnly } from '../sessions/superuser-only.decorator';
import { TrustedDomainDto } from '../users/dto/trusted-domain.dto';
import { actorOf } from './actor-of';
import { AdminService } from './admin.service';
import { TrustedDomainCreateDto } from './dto/admin-requests.dto';
import { TrustedDomainListDto } from './dto/admin-responses.dto';

/** Trusted mail domains (docs/API.md §10 Administration): verified addresses under them are approved at once. */
@ApiTags('admin')
@SuperuserOnly()
@Controller('admin/trusted-domains')
export class TrustedDomainsController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'adminListTrustedDomains', summary: 'Trusted mail domains, in domain order' })
  @ApiResponse({ status: 200, type: TrustedDomainListDto })
  list(): Promise<TrustedDomainListDto> {
    return this.admin.trustedDomainList();
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ operationId: 'adminAddTrustedDomain', summary: 'Trust a mail domain (Unicode or ASCII form; kept in ASCII)' })
  @ApiResponse({ status: 201, type: TrustedDomainDto })
  @ApiConflictResponse({ description: 'TRUSTED_DOMAIN_EXISTS (in any form)' })
  @ApiUnprocessableEntityResponse({ description: 'Not a domain name (IP address, single label, wildcard, scheme, path…)' })
  add(
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: TrustedDomainCreateDto,
    @ClientContext() context: RequestContext,
  ): Promise<TrustedDomainDto> {
    return this.admin.addTrustedDomain(actorOf(principal), dto, context);
  }

  @Delete(':domain')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'adminRemoveTrustedDomain',
    summary: 'Stop trusting a mail domain (named in Unicode or ASCII form)',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'Trusted domain not found' })
  async remove(
    @Param('domain') domain: string,
    @CurrentUser() principal: AuthPrincipal,
    @ClientContext() context: RequestContext,
  ): Promise<void> {
    await this.admin.removeTrustedDomain(actorOf(principal), domain, context);
  }
}
