import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

/**
 * Nest's logger on top of the root pino logger. Every line written while a request is handled
 * carries its request id (the same id as the X-Request-Id header). The access line itself is
 * written by an onResponse hook (see app.setup.ts), where the route template is known.
 */
@Module({})
export class LoggingModule {
  static forRoot(root: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: root,
            autoLogging: false,
            genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id?: string }).id ?? '',
            customAttributeKeys: { reqId: 'request_id' },
            quietReqLogger: true,
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
