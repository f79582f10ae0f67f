import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { AuthPrincipal } from '../sessions/auth-principal';
import { SessionsService } from '../sessions/sessions.service';
import { TokenService } from '../sessions/token.service';
import { CredentialsService } from '../users/credentials.service';
import { UserReadDto } from '../users/dto/user-read.dto';
import { User } from '../users/user.entity';
import { toLoginUser, toUserRead } from '../users/user.mappers';
import { UsersService } from '../users/users.service';
import { AuthConfigDto, LoginResponseDto, WhoAmIDto } from './dto/auth-responses.dto';
import { RegisterDto } from './dto/register.dto';

export type LoginFailure = 'unknown_user' | 'bad_password' | 'locked' | 'unverified' | 'rejected' | 'pending' | 'inactive';

export class LoginRefusedError extends Error {
  constructor(
    readonly reason: LoginFailure,
    readonly answer: AppError,
  ) {
    super(`login refused: ${reason}`);
    this.name = 'LoginRefusedError';
  }
}

const INVALID_CREDENTIALS = () => new AppError('INVALID_CREDENTIALS', 'Invalid credentials', { 'WWW-Authenticate': 'Bearer' });

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  async register(dto: RegisterDto, context: RequestContext): Promise<UserReadDto> {
    const user = await this.users.create(
      {
        email: dto.email,
        username: dto.username,
        password: dto.password,
        approvalNote: dto.approval_note ?? null,
        institution: dto.institution ?? null,
      },
      { kind: 'self' },
      { context, duplicate: () => new AppError('REGISTER_USER_ALREADY_EXISTS') },
    );
    return toUserRead(user);
  }

  /**
   * The password is checked before approval or activity is revealed, and an unknown user costs
   * the same verify as a known one. Throws LoginRefusedError carrying the original system's answer.
   */
  async login(identifier: string, password: string, context: RequestContext): Promise<LoginResponseDto> {
    const user = await this.users.findByLogin(identifier);
    if (!user) {
      await this.credentials.verifyDummy(password, context.ip);
      throw this.refuse('unknown_user', INVALID_CREDENTIALS(), null, identifier, context);
    }
    // A locked account still costs one verify and answers exactly as a wrong password does; the
    // lock is read while the hash is computed, so it adds no time of its own.
    const [lock, verified] = await Promise.all([
      this.credentials.lockState(user, context.ip),
      this.credentials.verify(user, password, context.ip),
    ]);
    if (lock.locked) throw this.refuse('locked', INVALID_CREDENTIALS(), user, identifier, context);
    if (!verified.valid) {
      await this.credentials.recordFailure(user, context.ip);
      throw this.refuse('bad_password', INVALID_CREDENTIALS(), user, identifier, context);
    }
    await this.credentials.recordSuccess(user, context.ip, password, verified, lock.failedHere);

    if (this.config.emailVerification === 'required' && !user.isVerified) {
      throw this.refuse('unverified', new AppError('EMAIL_NOT_VERIFIED', 'Email not verified'), user, identifier, context);
    }
    if (user.approvalStatus === 'rejected') {
      throw this.refuse(
        'rejected',
        new AppError('ACCOUNT_REJECTED', 'Account registration was rejected'),
        user,
        identifier,
        context,
      );
    }
    if (!user.isApproved) {
      throw this.refuse(
        'pending',
        new AppError('ACCOUNT_PENDING', 'Account pending approval. Please wait for admin approval.'),
        user,
        identifier,
        context,
      );
    }
    if (!user.isActive) throw this.refuse('inactive', new AppError('INACTIVE_USER', 'Inactive user'), user, identifier, context);

    const session = await this.sessions.start({ id: user.id, username: user.username }, context);
    // Deleted while its password was being checked: as if it had never existed.
    if (!session) throw this.refuse('unknown_user', INVALID_CREDENTIALS(), user, identifier, context);
    this.metrics.countLogin('success');
    const token = this.tokens.issue(user.id, session.id, session.createdAt, this.config.sessionMaxLifetimeSeconds);
    return { access_token: token, token_type: 'bearer', user: toLoginUser(user) };
  }

  logout(principal: AuthPrincipal, context: RequestContext): Promise<void> {
    return this.sessions.end({ id: principal.id, username: principal.username }, principal.sessionId, context);
  }

  whoami(principal: AuthPrincipal): WhoAmIDto {
    return {
      username: principal.username,
      id: principal.id,
      is_superuser: principal.isSuperuser,
      is_active: principal.isActive,
    };
  }

  authConfig(): AuthConfigDto {
    return {
      inactivity_threshold_minutes: this.config.sessionIdleTimeoutSeconds / 60,
      max_token_lifetime_hours: this.config.sessionMaxLifetimeSeconds / 3600,
      features: { inactivity_based_expiration: true },
    };
  }

  private refuse(
    reason: LoginFailure,
    answer: AppError,
    user: User | null,
    identifier: string,
    context: RequestContext,
  ): LoginRefusedError {
    // Never the reason: the metric must not tell an unknown user from a wrong password or a lock.
    this.metrics.countLogin('failure');
    this.audit.recordDetached({
      eventType: 'login_failed',
      actor: null,
      target: user ? { id: user.id, username: user.username } : null,
      ip: context.ip,
      userAgent: context.userAgent,
      // What was typed is kept only when it named an account: an unknown identifier is often a
      // password typed into the wrong field.
      details: user ? { reason, identifier: identifier.slice(0, 320) } : { reason },
    });
    return new LoginRefusedError(reason, answer);
  }
}
