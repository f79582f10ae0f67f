import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The policy of every response (docs/SECURITY.md): helmet's headers with a Content-Security-Policy
 * that lets Swagger UI run its inline bootstrap script and styles; nothing else is served as HTML
 * (the console replaces the policy with its own, docs/API.md §15 Console).
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      // helmet's default would send every asset of a plain-HTTP deployment to https://.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * The headers helmet sets with `options`, computed once. None of our directives depends on the
 * request (no nonces), so every response gets the same headers; running helmet's middleware (or
 * @fastify/helmet, which builds it anew for each request) per request only recomputed them.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return Object.freeze(headers);
}
