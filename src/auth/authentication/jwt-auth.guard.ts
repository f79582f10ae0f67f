import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { TokenExpiredError } from 'jsonwebtoken';
import { AuditService } from '../../audit/audit.service';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { unauthorized } from '../../common/errors/app-error';
import { requestContextOf } from '../../common/http/request-context';
import type { AuthPrincipal } from '../../sessions/auth-principal';
import { TokenRejectedError } from './jwt.strategy';

/**
 * The global guard: every route needs a live session unless marked @Public(). Every doubt is a
 * 401 with `WWW-Authenticate: Bearer`; a presented token that fails is audited as token_rejected.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<T = AuthPrincipal>(error: unknown, user: T | false, info: unknown, context: ExecutionContext): T {
    if (user && !error) return user;
    // Anything but a verdict on the token itself (e.g. the database is down) is not a 401.
    if (error && !(error instanceof TokenRejectedError)) throw error;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (typeof request.headers.authorization === 'string' && request.headers.authorization.trim() !== '') {
      const reason =
        error instanceof TokenRejectedError ? error.reason : info instanceof TokenExpiredError ? 'expired' : 'invalid';
      const { ip, userAgent } = requestContextOf(request);
      this.audit.recordDetached({
        eventType: 'token_rejected',
        target: null,
        ip,
        userAgent,
        details: { reason, ...(error instanceof TokenRejectedError && error.userId ? { user_id: error.userId } : {}) },
      });
    }
    throw unauthorized();
  }
}
