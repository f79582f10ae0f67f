import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { ConsoleFile, loadConsoleFiles } from './console-files';

/**
 * The console's addresses, outside API_PREFIX (docs/API.md §15 Console): `/` redirects to
 * `/console/`; a path with a file extension is one of the console's files; any other path under
 * `/console/` is a page, answered with index.html (the front-end's router shows the right view).
 * Plain Fastify routes, not Nest controllers: they are not part of the API, its prefix, its
 * guard or its OpenAPI document.
 */
@Injectable()
export class ConsoleRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The CLI and the medium tests run the same modules without an HTTP server: nothing to serve.
    if (!this.adapterHost.httpAdapter) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const site = loadConsoleFiles(this.config.apiPrefix);
    const toConsole = (_request: FastifyRequest, reply: FastifyReply) => reply.redirect('/console/', 302);
    fastify.get('/', toConsole);
    fastify.get('/console', toConsole);
    fastify.get('/console/*', (request, reply) => {
      const wanted = (request.params as { '*': string })['*'];
      const last = wanted.split('/').pop() ?? '';
      const found = last.includes('.') ? site.files.get(wanted) : site.index;
      if (!found) return reply.code(404).send({ detail: 'Not Found' });
      return send(request, reply, found, site.csp);
    });
  }
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, csp: string) {
  // Replaces helmet's policy (which Swagger UI needs) with the console's stricter one.
  reply.header('Content-Security-Policy', csp);
  reply.header('Cache-Control', 'no-cache');
  reply.header('ETag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.contentType).send(file.body);
}
