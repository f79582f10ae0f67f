import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { MetricsService } from '../metrics/metrics.service';
import { AppError } from '../common/errors/app-error';
import { RequestContext } from '../common/http/request-context';
import { AppConfig } from '../config/app-config';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { toUserRead } from '../users/user.mapper';
import { UserReadDto } from '../users/dto/user-read.dto';
import { AuthConfigDto, LoginResponseDto, WhoAmIDto } from './dto/auth-responses.dto';
import { RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password/password-hasher.service';
import { AuthPrincipal } from './sessions/auth-principal';
import { SessionsService } from './sessions/sessions.service';
import { TokenService } from './sessions/token.service';

export type LoginFailure = 'unknown_user' | 'bad_password' | 'locked' | 'rejected' | 'pending' | 'inactive';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
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
      { origin: 'self', context, duplicate: new AppError('REGISTER_USER_ALREADY_EXISTS') },
    );
    return toUserRead(user);
  }

  /**
   * The password is checked before approval or activity is revealed, and an unknown user costs
   * the same verify as a known one. Throws LoginRefusedError carrying the seed's answer.
   */
  async login(identifier: string, password: string, context: RequestContext): Promise<LoginResponseDto> {
    const user = await this.users.findByLogin(identifier);
    if (!user) {
      await this.hasher.verifyDummy(password);
      throw this.refuse('unknown_user', INVALID_CREDENTIALS(), null, identifier, context);
    }
    // A locked account still costs one verify and answers exactly as a wrong password does.
    const now = this.clock.now();
    const locked = user.lockedUntil !== null && user.lockedUntil.getTime() > now.getTime();
    const { valid, needsRehash } = await this.hasher.verify(user.hashedPassword, password);
    if (locked) throw this.refuse('locked', INVALID_CREDENTIALS(), user, identifier, context);
    if (!valid) {
      await this.users.recordLoginFailure(user.id, now, this.config.lockoutThreshold, this.config.lockoutMinutes * 60_000);
      throw this.refuse('bad_password', INVALID_CREDENTIALS(), user, identifier, context);
    }
    if (user.failedLoginCount > 0 || user.lockedUntil !== null) await this.users.resetLoginFailures(user.id);
    if (needsRehash) await this.users.replacePasswordHash(user.id, await this.hasher.hash(password));

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

    const session = await this.dataSource.transaction(async (manager) => {
      const opened = await this.sessions.open(manager, user.id, context);
      await this.audit.record(manager, {
        eventType: 'login_succeeded',
        actor: { id: user.id, username: user.username },
        target: { id: user.id, username: user.username },
        ip: context.ip,
        userAgent: context.userAgent,
        details: { session_id: opened.id },
      });
      return opened;
    });
    this.metrics.countLogin('success');
    const token = this.tokens.issue(user.id, session.id, session.createdAt, this.config.sessionMaxLifetimeSeconds);
    return {
      access_token: token,
      token_type: 'bearer',
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        is_active: user.isActive,
        is_superuser: user.isSuperuser,
        is_approved: user.isApproved,
      },
    };
  }

  async logout(principal: AuthPrincipal, context: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.sessions.revoke(manager, principal.sessionId, 'logout');
      await this.audit.record(manager, {
        eventType: 'logout',
        actor: { id: principal.id, username: principal.username },
        target: { id: principal.id, username: principal.username },
        ip: context.ip,
        userAgent: context.userAgent,
        details: { session_id: principal.sessionId },
      });
    });
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
    this.metrics.countLogin(reason);
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
