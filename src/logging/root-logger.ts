import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../config/app-config';

/**
 * Paths never written to a log line, whatever a caller passes: credentials in headers and any
 * field that holds a password, a hash or a token.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'hashed_password',
  '*.hashed_password',
  'hashedPassword',
  '*.hashedPassword',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
];

/**
 * The process's one pino logger: JSON lines (pretty in development on a terminal), secrets
 * redacted. Nest's own logger and the per-request logger derive from it.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'gatehouse' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (!config.isProduction && process.stdout.isTTY) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options);
}
