import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who sent a request, as the audit trail records it. Services get this, never the request. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export function requestContextOf(request: FastifyRequest): RequestContext {
  const agent = request.headers['user-agent'];
  return {
    // Fastify resolves X-Forwarded-For only when TRUST_PROXY is on (trustProxy option).
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    requestId: String(request.id),
  };
}

export const ClientContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestContext =>
  requestContextOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
