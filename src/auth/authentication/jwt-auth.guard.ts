import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../audit/audit.service';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { unauthorized } from '../../common/errors/app-error';
import { requestContextOf } from '../../common/http/request-context';
import type { AuthPrincipal } from '../../sessions/auth-principal';
import { AccessTokenVerifier, bearerToken, TokenRejectedError } from './access-token-verifier';
import { SessionAuthenticator } from './session-authenticator';

/**
 * The global guard: every route needs a live session unless marked @Public(). Every doubt is a
 * 401 with `WWW-Authenticate: Bearer`; a presented token that fails is audited as token_rejected.
 * The caller becomes `request.user` (see CurrentUser).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly tokens: AccessTokenVerifier,
    private readonly sessions: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthPrincipal }>();
    const token = bearerToken(request.headers.authorization);
    try {
      if (token === null) throw new TokenRejectedError('invalid');
      const claims = this.tokens.claimsOf(token);
      const result = await this.sessions.check(claims.sid, claims.sub);
      if ('rejected' in result) throw new TokenRejectedError(result.rejected, result.userId);
      request.user = result.principal;
      return true;
    } catch (error) {
      // Anything but a verdict on the token itself (e.g. the database is down) is not a 401.
      if (!(error instanceof TokenRejectedError)) throw error;
      this.auditRejection(request, error);
      throw unauthorized();
    }
  }

  private auditRejection(request: FastifyRequest, error: TokenRejectedError): void {
    if (typeof request.headers.authorization !== 'string' || request.headers.authorization.trim() === '') return;
    const { ip, userAgent } = requestContextOf(request);
    this.audit.recordDetached({
      eventType: 'token_rejected',
      target: null,
      ip,
      userAgent,
      details: { reason: error.reason, ...(error.userId ? { user_id: error.userId } : {}) },
    });
  }
}
