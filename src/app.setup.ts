import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { IDLE_HEAP_COLLECTION_DEFAULTS, IdleHeapCollection } from './common/memory/idle-heap-collection';
import { useUtf8BodyParsers } from './common/http/body-parsers';
import { securityHeaders } from './common/http/security-headers';
import { AppConfig } from './config/app-config';
import { PinoNestLogger } from './logging/nest-logger';
import { withRequestId } from './logging/request-log-context';
import { createRootLogger } from './logging/root-logger';
import { MailWorker } from './mail/mail-worker';
import { MetricsServer } from './metrics/metrics.server';
import { SessionCache } from './sessions/session-cache';
import { MetricsService } from './metrics/metrics.service';

export const JSON_BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's X-Request-Id when it is well-formed, else a fresh UUID; kept on the raw request for the logger. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

export function buildOpenApiDocument(app: NestFastifyApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription(
      'User management: registration gated by admin approval, login by username or email, ' +
        'sessions that expire after inactivity, superuser administration with an audit trail.',
    )
    .setVersion('1.0')
    .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: `${config.apiPrefix}/jwt/login`, scopes: {} } } })
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, builder, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
}

export interface CreateAppOptions {
  /** The process's root logger (tests pass one writing to a buffer). */
  rootLogger?: Logger;
}

/** Builds the whole application (used by main.ts and by the e2e tests alike). */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const rootLogger = options.rootLogger ?? createRootLogger(config);
  const adapter = new FastifyAdapter({
    // A hop count as a function (same meaning as Fastify's number form, which its types leave out).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Poisoned JSON is refused by the parser, before any code of ours sees it.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Once the drain is over and the server closes (docs/DEPLOYMENT.md, Several instances behind
    // HAProxy), a request that still arrives on a kept-alive connection is served (its response
    // closes the connection) instead of Fastify's bare 503, which a proxy does not retry for a POST.
    return503OnClosing: false,
    // A path id of any length reaches our own check (400 Invalid user ID format, docs/API.md §1
    // Conventions) instead of a bare 414; the request line is bounded by Node's header size limit.
    routerOptions: { maxParamLength: Number.MAX_SAFE_INTEGER },
    // Malformed URLs fail before routing, outside Nest's filter: answer in the same shape.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      reply
        .code(error.statusCode && error.statusCode < 500 ? error.statusCode : 400)
        .header('X-Request-Id', request.id)
        .send({ detail: error.code === 'FST_ERR_BAD_URL' ? 'Malformed URL' : 'Bad request' });
    },
  });
  // Nest logs through the root logger from its first line, and a failure reaches the caller
  // (main.ts logs it as one line) instead of Nest's own report and process.exit.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(rootLogger),
    abortOnError: false,
  });
  if (config.corsOrigins.length > 0) {
    const anyOrigin = config.corsOrigins.includes('*');
    app.enableCors({
      origin: anyOrigin ? '*' : config.corsOrigins,
      // A wildcard origin never goes together with credentials.
      credentials: !anyOrigin,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }

  const metrics = app.get(MetricsService);
  const access = rootLogger.child({ context: 'http' });
  const fastify = app.getHttpAdapter().getInstance();
  // Plain callback hooks (no promise per request). The security headers are computed once; the
  // request id is the log context of everything the request runs (logs.e2e-spec checks it on a
  // body that arrives after the headers). Nest's adapter answers CORS preflights in an earlier
  // hook of its own, as it did before @fastify/helmet's.
  const headers = securityHeaders();
  const idleHeap = idleHeapCollection(rootLogger);
  fastify.addHook('onRequest', (request, reply, done) => {
    idleHeap.onRequest();
    reply.headers(headers);
    reply.header('X-Request-Id', request.id);
    withRequestId(request.id, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(request.method, route, reply.statusCode, seconds);
    access.info(
      {
        request_id: request.id,
        method: request.method,
        route,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });

  fastify.addHook('onClose', (_instance, done) => {
    idleHeap.stop();
    done();
  });

  useUtf8BodyParsers(app, JSON_BODY_LIMIT_BYTES);
  if (config.apiPrefix) app.setGlobalPrefix(config.apiPrefix);
  if (config.docsEnabled) {
    const document = buildOpenApiDocument(app, config);
    SwaggerModule.setup('docs', app, document, {
      useGlobalPrefix: true,
      jsonDocumentUrl: 'openapi.json',
      swaggerOptions: { persistAuthorization: true },
      customSiteTitle: 'Gatehouse API',
    });
  }
  await app.init();
  // Mail is delivered by the service only (the CLI queues mail but never sends it).
  await app.get(MailWorker).start();
  await fastify.ready();
  await app.get(MetricsServer).listen();
  await app.get(SessionCache).start();
  idleHeap.start();
  return app;
}

/** The idle collection (see there), telling at debug level what it gave back. */
function idleHeapCollection(rootLogger: Logger): IdleHeapCollection {
  const log = rootLogger.child({ context: 'memory' });
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return new IdleHeapCollection({
    ...IDLE_HEAP_COLLECTION_DEFAULTS,
    collected: (before, after) => log.debug({ heap_mb_before: mb(before), heap_mb_after: mb(after) }, 'idle: heap collected'),
  });
}
