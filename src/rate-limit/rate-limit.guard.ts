import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { clientKey } from '../common/http/client-address';
import { requestContextOf } from '../common/http/request-context';

/**
 * Per client address limits (docs/API.md §11 Rate limits and lockout). The key leaves out the route, so
 * /login and /jwt/login share one budget. The address is Fastify's `request.ip`, which believes
 * X-Forwarded-For only when TRUST_PROXY is on.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** The first refusal of each block is audited; the flood behind it is not written again. */
  private readonly audited = new Map<string, number>();
  @Inject(AuditService) private readonly audit!: AuditService;

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return clientKey((request as unknown as FastifyRequest).ip);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const now = Date.now();
    if ((this.audited.get(detail.key) ?? 0) < now) {
      if (this.audited.size > 10_000) this.audited.clear();
      this.audited.set(detail.key, now + retryAfter * 1000);
      const { ip, userAgent } = requestContextOf(request);
      this.audit.recordDetached({
        eventType: 'rate_limited',
        ip,
        userAgent,
        details: { limit: detail.limit, window_seconds: Math.round(detail.ttl / 1000), route: request.routeOptions?.url ?? null },
      });
    }
    throw new AppError('RATE_LIMITED', 'Too Many Requests', { 'Retry-After': String(retryAfter) });
  }
}
