import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOAuth2,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ClientContext, RequestContext } from '../common/http/request-context';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { CurrentUser } from '../sessions/current-user.decorator';
import { AccountDto } from '../users/dto/account.dto';
import { AccountsService } from './accounts.service';
import { ChangePasswordDto, UpdateAccountDto } from './dto/account-requests.dto';
import { OwnSessionListDto, RevokedCountDto } from './dto/account-responses.dto';

/** The signed-in user's own account (docs/API.md §8 Accounts). */
@ApiTags('account')
@ApiBearerAuth()
@ApiOAuth2([])
@ApiUnauthorizedResponse({ description: 'No valid session (`{"detail": "Unauthorized"}`)' })
@Controller('users/me')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'getMe', summary: 'Your account' })
  @ApiResponse({ status: 200, type: AccountDto })
  me(@CurrentUser() principal: AuthPrincipal): Promise<AccountDto> {
    return this.accounts.me(principal);
  }

  @Patch()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'updateMe', summary: 'Change your institution (the only field you change yourself)' })
  @ApiResponse({ status: 200, type: AccountDto })
  @ApiUnprocessableEntityResponse({ description: 'Any other field, privileged ones included' })
  update(@CurrentUser() principal: AuthPrincipal, @Body() dto: UpdateAccountDto): Promise<AccountDto> {
    return this.accounts.update(principal, dto);
  }

  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'changeMyPassword', summary: 'Change your password; your other sessions end' })
  @ApiResponse({ status: 204, description: 'Changed; every other session of yours ended' })
  @ApiBadRequestResponse({ description: 'INVALID_CURRENT_PASSWORD (counts as a failed login) or UPDATE_USER_INVALID_PASSWORD' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  async changePassword(
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: ChangePasswordDto,
    @ClientContext() context: RequestContext,
  ): Promise<void> {
    await this.accounts.changePassword(principal, dto.current_password, dto.new_password, context);
  }

  @Get('sessions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'listMySessions', summary: 'Your live sessions, newest first' })
  @ApiResponse({ status: 200, type: OwnSessionListDto })
  sessions(@CurrentUser() principal: AuthPrincipal): Promise<OwnSessionListDto> {
    return this.accounts.sessionsOf(principal);
  }

  @Post('sessions/revoke-others')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'revokeMyOtherSessions', summary: 'End every session but this one' })
  @ApiResponse({ status: 200, type: RevokedCountDto })
  revokeOthers(@CurrentUser() principal: AuthPrincipal, @ClientContext() context: RequestContext): Promise<RevokedCountDto> {
    return this.accounts.revokeOthers(principal, context);
  }

  @Delete('sessions/:session_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'revokeMySession', summary: 'End one of your sessions (this one too: that signs you out)' })
  @ApiResponse({ status: 204, description: 'Ended' })
  @ApiNotFoundResponse({ description: 'Session not found (also for another user’s session, an ended one, or a malformed id)' })
  async revoke(
    @CurrentUser() principal: AuthPrincipal,
    @Param('session_id') sessionId: string,
    @ClientContext() context: RequestContext,
  ): Promise<void> {
    await this.accounts.revoke(principal, sessionId, context);
  }
}
