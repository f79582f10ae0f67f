import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBearerAuth, ApiConsumes, ApiOAuth2, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { AppError } from '../common/errors/app-error';
import { ClientContext, RequestContext } from '../common/http/request-context';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { CurrentUser } from '../sessions/current-user.decorator';
import { UserReadDto } from '../users/dto/user-read.dto';
import { AuthService, LoginRefusedError } from './auth.service';
import { AuthConfigDto, BearerTokenDto, LoginResponseDto, WhoAmIDto } from './dto/auth-responses.dto';
import { JwtLoginDto, LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(RateLimitGuard)
  @SkipThrottle({ login: true })
  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'register',
    summary: 'Register; the account waits for admin approval (the first user becomes superuser)',
  })
  @ApiResponse({ status: 201, type: UserReadDto })
  @ApiResponse({ status: 400, description: 'REGISTER_USER_ALREADY_EXISTS or REGISTER_INVALID_PASSWORD' })
  @ApiResponse({ status: 422, description: 'Body validation error' })
  @ApiResponse({ status: 429, description: 'Too many registrations from this address (Retry-After)' })
  @ApiResponse({ status: 503, description: 'User storage unavailable; nothing was created' })
  register(@Body() dto: RegisterDto, @ClientContext() context: RequestContext): Promise<UserReadDto> {
    return this.auth.register(dto, context);
  }

  @Public()
  @UseGuards(RateLimitGuard)
  @SkipThrottle({ register: true })
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'login', summary: 'Log in with username or email (JSON)' })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiResponse({ status: 400, description: 'Inactive user' })
  @ApiResponse({ status: 401, description: 'Invalid credentials' })
  @ApiResponse({
    status: 403,
    description: 'Account pending approval, registration rejected (ACCOUNT_REJECTED), or email not verified (EMAIL_NOT_VERIFIED)',
  })
  @ApiResponse({ status: 422, description: 'Body validation error' })
  @ApiResponse({ status: 429, description: 'Too many attempts from this address (Retry-After)' })
  @ApiResponse({ status: 503, description: 'Too many logins being verified at once (LOGIN_BUSY, Retry-After)' })
  async login(@Body() dto: LoginDto, @ClientContext() context: RequestContext): Promise<LoginResponseDto> {
    try {
      return await this.auth.login(dto.username_or_email, dto.password, context);
    } catch (error) {
      throw error instanceof LoginRefusedError ? error.answer : error;
    }
  }

  @Public()
  @UseGuards(RateLimitGuard)
  @SkipThrottle({ register: true })
  @Post('jwt/login')
  @HttpCode(HttpStatus.OK)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ operationId: 'jwtLogin', summary: 'OAuth2 password flow (form-urlencoded); used by Swagger Authorize' })
  @ApiResponse({ status: 200, type: BearerTokenDto })
  @ApiResponse({
    status: 400,
    description: 'LOGIN_BAD_CREDENTIALS (also for pending, rejected and inactive accounts); LOGIN_USER_NOT_VERIFIED',
  })
  @ApiResponse({ status: 422, description: 'Form validation error' })
  @ApiResponse({ status: 429, description: 'Too many attempts from this address (Retry-After)' })
  @ApiResponse({ status: 503, description: 'Too many logins being verified at once (LOGIN_BUSY, Retry-After)' })
  async jwtLogin(@Body() dto: JwtLoginDto, @ClientContext() context: RequestContext): Promise<BearerTokenDto> {
    try {
      const { access_token, token_type } = await this.auth.login(dto.username, dto.password, context);
      return { access_token, token_type };
    } catch (error) {
      if (!(error instanceof LoginRefusedError)) throw error;
      // fastapi-users tells an unverified user so; every other refusal is the same bad-credentials answer.
      throw new AppError(error.reason === 'unverified' ? 'LOGIN_USER_NOT_VERIFIED' : 'LOGIN_BAD_CREDENTIALS');
    }
  }

  @Post('jwt/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOAuth2([])
  @ApiOperation({ operationId: 'jwtLogout', summary: 'End this session; the token is dead from then on' })
  @ApiResponse({ status: 204, description: 'Logged out' })
  @ApiResponse({ status: 401, description: 'Unauthorized' })
  async logout(@CurrentUser() principal: AuthPrincipal, @ClientContext() context: RequestContext): Promise<void> {
    await this.auth.logout(principal, context);
  }

  @Get('whoami')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOAuth2([])
  @ApiOperation({ operationId: 'whoami', summary: 'The authenticated user' })
  @ApiResponse({ status: 200, type: WhoAmIDto })
  @ApiResponse({ status: 401, description: 'Unauthorized' })
  whoami(@CurrentUser() principal: AuthPrincipal): WhoAmIDto {
    return this.auth.whoami(principal);
  }

  @Public()
  @Get('config')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'authConfig', summary: 'Session timing, computed from the live configuration' })
  @ApiResponse({ status: 200, type: AuthConfigDto })
  config(): AuthConfigDto {
    return this.auth.authConfig();
  }
}
