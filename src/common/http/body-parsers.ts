import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import { AppError } from '../errors/app-error';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or null when its bytes are not UTF-8 (never decoded with replacement characters). */
function utf8Text(body: Buffer): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}

const notUtf8 = () => new AppError('INVALID_BODY_ENCODING', 'Request body is not valid UTF-8');

/** A percent-escape that is not UTF-8 (or not an escape) stays as it was written, as it always did. */
function decodeFormComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The JSON and form parsers: the raw bytes must be UTF-8 (400 `Request body is not valid UTF-8`,
 * docs/API.md §1 Conventions) before anything parses them. JSON then goes through Fastify's own
 * parser with the application's poisoning rules (`__proto__`, `constructor.prototype` refused);
 * a form key `__proto__` is refused as Nest's default form parser does. Registered before
 * `app.init()`, so that Nest does not add its defaults; the body limit is the server's.
 */
export function useUtf8BodyParsers(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig;
  const json = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);

  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const text = utf8Text(body);
    if (text === null) return done(notUtf8(), undefined);
    json(request, text, done);
  });

  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit }, (_request, body, done) => {
    const text = utf8Text(body);
    if (text === null) return done(notUtf8(), undefined);
    const fields = parseQueryString(text, '&', '=', { decodeURIComponent: decodeFormComponent, maxKeys: 0 });
    if (Object.hasOwn(fields, '__proto__'))
      return done(new BadRequestException('Object contains forbidden prototype property'), undefined);
    done(null, fields);
  });
}
