import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { isDatabaseUnavailable, isInvalidInputForDatabase } from './database-errors';
import { RequestValidationError } from './request-validation.error';

interface Outcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Fastify's own client errors (body parsing, limits), mapped to FastAPI-like bodies. */
function fromFastifyError(error: { statusCode?: number; code?: string; message?: string }): Outcome | null {
  const status = error.statusCode;
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_') || !status || status >= 500) return null;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 422, body: { detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { detail: 'Request body too large' } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { detail: 'Unsupported media type' } };
    default:
      return { status, body: { detail: error.message ?? 'Bad request' } };
  }
}

/**
 * The one place that turns an error into a response. Client errors keep their status and a
 * FastAPI-shaped body; anything unknown is a 500 that says nothing but the request id, with the
 * stack in the log under that id.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const requestId = String(request?.id ?? '');
    const outcome = this.outcomeOf(exception, requestId, request);
    if (outcome.status >= 500) reply.header('Cache-Control', 'no-store');
    if (reply.sent) return;
    reply
      .status(outcome.status)
      .headers(outcome.headers ?? {})
      .send(outcome.body);
  }

  private outcomeOf(exception: unknown, requestId: string, request: FastifyRequest | undefined): Outcome {
    if (exception instanceof AppError) {
      if (exception.isFault) {
        const cause = (exception.cause as Error | undefined)?.message;
        this.logger.error(`[${requestId}] ${exception.code}: ${exception.message}${cause ? ` (${cause})` : ''}`);
      }
      return { status: exception.status, body: exception.toBody(requestId), headers: exception.headers };
    }
    if (exception instanceof RequestValidationError) {
      return { status: exception.status, body: { detail: exception.issues } };
    }
    // Fastify's client errors arrive wrapped in an HttpException whose cause is the original.
    const fastify = fromFastifyError(
      ((exception instanceof HttpException ? exception.cause : undefined) ?? exception) as { statusCode?: number; code?: string },
    );
    if (fastify) return fastify;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        const response = exception.getResponse();
        const detail =
          status === 404
            ? 'Not Found'
            : typeof response === 'object' && response !== null && 'detail' in response
              ? (response as { detail: unknown }).detail
              : exception.message;
        return { status, body: { detail } };
      }
    }
    // A deliberate 5xx (e.g. the readiness check's 503) keeps its status and body.
    if (exception instanceof HttpException && exception.getStatus() !== 500) {
      const response = exception.getResponse();
      const body = typeof response === 'object' && response !== null ? response : { detail: response };
      return { status: exception.getStatus(), body: { ...body, request_id: requestId } };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.error(`[${requestId}] database unavailable: ${(exception as Error)?.message}`);
      return {
        status: 503,
        body: { detail: 'Service temporarily unavailable', code: 'DATABASE_UNAVAILABLE', request_id: requestId },
        headers: { 'Retry-After': '2' },
      };
    }
    if (isInvalidInputForDatabase(exception)) {
      // Defence in depth: validation should have caught it; the client still gets a 4xx.
      this.logger.warn(`[${requestId}] input refused by PostgreSQL: ${(exception as Error)?.message}`);
      return { status: 400, body: { detail: 'Invalid input' } };
    }
    const route = request ? `${request.method} ${request.routeOptions?.url ?? request.url}` : 'unknown route';
    this.logger.error(
      `[${requestId}] unhandled error on ${route}: ${(exception as Error)?.message}`,
      (exception as Error)?.stack,
    );
    return { status: 500, body: { detail: 'Internal server error', request_id: requestId } };
  }
}
