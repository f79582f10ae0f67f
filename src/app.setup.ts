import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';

export const JSON_BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's X-Request-Id when it is well-formed, else a fresh UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
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

/** Builds the whole application (used by main.ts and by the e2e tests alike). */
export async function createApp(config: AppConfig, logger: Logger | false = new Logger()): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Deeply nested or poisoned JSON is refused by the parser, before any code of ours sees it.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: logger === false ? false : undefined,
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  if (config.apiPrefix) app.setGlobalPrefix(config.apiPrefix);
  if (config.docsEnabled) {
    const document = buildOpenApiDocument(app, config);
    SwaggerModule.setup('docs', app, document, {
      useGlobalPrefix: true,
      jsonDocumentUrl: 'openapi.json',
      yamlDocumentUrl: 'openapi.yaml',
      swaggerOptions: { persistAuthorization: true },
      customSiteTitle: 'Gatehouse API',
    });
  }
  await app.init();
  await fastify.ready();
  return app;
}
