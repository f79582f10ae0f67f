import { Injectable } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The drain of a graceful shutdown (docs/DEPLOYMENT.md, Several instances behind HAProxy): from
 * `beginDrain()` on, readiness answers 503 at once, while every other route keeps serving; each
 * response then closes its connection, so that a proxy or client holds no kept-alive connection
 * to this instance when it stops accepting (SHUTDOWN_DRAIN_SECONDS later, see main.ts).
 */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beginDrain(server: Server): void {
    if (this.draining) return;
    this.draining = true;
    // Before Fastify's own listener, so the header is there whatever the route writes.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      response.setHeader('Connection', 'close');
    });
  }
}
