import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBadRequestResponse, ApiOperation, ApiResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { ClientContext, RequestContext } from '../common/http/request-context';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { CredentialsService } from '../users/credentials.service';
import { AccountDto } from '../users/dto/account.dto';
import { EmailVerificationService } from '../users/email-verification.service';
import { UserMailService } from '../users/user-mail.service';
import { toAccount } from '../users/user.mappers';
import { EmailRequestDto, ResetPasswordDto, VerifyDto } from './dto/recovery.dto';

/** A JSON `null` body, as fastapi-users answers these routes. */
function sendNull(reply: FastifyReply, status: number): void {
  void reply.code(status).type('application/json').send('null');
}

/**
 * The routes behind the links mailed for a forgotten password and an address to verify, with
 * fastapi-users' bodies and error codes (docs/API.md §9 Password reset and email verification).
 */
@ApiTags('auth')
@Public()
@Controller()
export class AccountRecoveryController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly verification: EmailVerificationService,
    private readonly mail: UserMailService,
  ) {}

  @Post('forgot-password')
  @UseGuards(RateLimitGuard)
  @SkipThrottle({ login: true })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ operationId: 'forgotPassword', summary: 'Mail a reset link, if the address belongs to an active account' })
  @ApiResponse({ status: 202, description: '`null`, always (unknown addresses too, in the same time)' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  @ApiResponse({ status: 429, description: 'Too many requests from this address (Retry-After)' })
  async forgotPassword(
    @Body() dto: EmailRequestDto,
    @ClientContext() context: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.mail.requestReset(dto.email, context);
    sendNull(reply, HttpStatus.ACCEPTED);
  }

  @Post('request-verify-token')
  @UseGuards(RateLimitGuard)
  @SkipThrottle({ login: true })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ operationId: 'requestVerifyToken', summary: 'Mail a verification link, if the address awaits one' })
  @ApiResponse({ status: 202, description: '`null`, always (unknown addresses too, in the same time)' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  @ApiResponse({ status: 429, description: 'Too many requests from this address (Retry-After)' })
  async requestVerifyToken(
    @Body() dto: EmailRequestDto,
    @ClientContext() context: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.mail.requestVerification(dto.email, context);
    sendNull(reply, HttpStatus.ACCEPTED);
  }

  @Post('reset-password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'resetPassword', summary: 'Set a new password with the token of a reset mail' })
  @ApiResponse({ status: 200, description: '`null`; every session of the user ended, lockouts cleared' })
  @ApiBadRequestResponse({ description: 'RESET_PASSWORD_BAD_TOKEN or RESET_PASSWORD_INVALID_PASSWORD' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  async resetPassword(
    @Body() dto: ResetPasswordDto,
    @ClientContext() context: RequestContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.credentials.resetWithToken(dto.token, dto.password, context);
    sendNull(reply, HttpStatus.OK);
  }

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'verify', summary: 'Confirm an address with the token of a verification mail' })
  @ApiResponse({ status: 200, type: AccountDto })
  @ApiBadRequestResponse({ description: 'VERIFY_USER_BAD_TOKEN or VERIFY_USER_ALREADY_VERIFIED' })
  @ApiUnprocessableEntityResponse({ description: 'Body validation error' })
  async verify(@Body() dto: VerifyDto, @ClientContext() context: RequestContext): Promise<AccountDto> {
    return toAccount(await this.verification.verify(dto.token, context));
  }
}
