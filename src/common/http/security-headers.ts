import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The policy of every response (docs/SECURITY.md): helmet's headers with a Content-Security-Policy
 * that lets Swagger UI run its inline bootstrap script and styles; nothing else is served as HTML
 * (the console replaces the policy with its own, docs/API.md §15 Console).
 *
 * Five of helmet's defaults are left out: they protect no client of a JSON API and cost every
 * response its bytes and its header checks (about 4 % of a trivial route's rate, bench/RESULTS.md).
 * X-XSS-Protection: 0 only switches off the XSS filter of browsers that no longer have one;
 * X-Download-Options is for Internet Explorer 8; X-Permitted-Cross-Domain-Policies for Flash and
 * Acrobat; X-DNS-Prefetch-Control and Origin-Agent-Cluster only tune how a browser treats an HTML
 * page's links and process, and our two HTML pages link to nothing outside.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xDnsPrefetchControl: false,
  originAgentCluster: false,
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
