import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One file the console serves, read once at start-up. */
export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface ConsoleFiles {
  /** By path below /console/, e.g. `app/main.js`, `vendor/preact.mjs`. */
  files: ReadonlyMap<string, ConsoleFile>;
  /** The page every console address answers with (the router in app/main.js picks the view). */
  index: ConsoleFile;
  /** The Content-Security-Policy of the console's responses (docs/API.md §15 Console). */
  csp: string;
}

/** The front-end's sources: HTML, CSS and ES modules, served as they are (no build step). */
export const WEB_ROOT = path.join(__dirname, 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The libraries the browser imports, straight from node_modules (the import map in index.html
 * names them): Preact, its hooks, and htm for the templates. Nothing is fetched from elsewhere.
 */
function vendorFiles(): Record<string, string> {
  const htm = path.join(path.dirname(require.resolve('htm')), 'htm.mjs');
  return {
    'vendor/preact.mjs': require.resolve('preact'),
    'vendor/preact-hooks.mjs': require.resolve('preact/hooks'),
    'vendor/htm.mjs': htm,
  };
}

function walk(root: string, below = ''): string[] {
  return readdirSync(path.join(root, below), { withFileTypes: true }).flatMap((entry) => {
    const relative = below ? `${below}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(root, relative) : [relative];
  });
}

function file(body: Buffer, name: string): ConsoleFile {
  const contentType = TYPES[path.extname(name)] ?? 'application/octet-stream';
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

// The only inline script of the console: the import map, allowed by its hash.
const IMPORT_MAP = /<script type="importmap">([\s\S]*?)<\/script>/;

/** The policy of the console's pages: only its own files, no inline script or style at all. */
export function consolePolicy(importMapHash: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' '${importMapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Reads the console's files once; `apiPrefix` is written into the page for the front-end's calls. */
export function loadConsoleFiles(apiPrefix: string): ConsoleFiles {
  const files = new Map<string, ConsoleFile>();
  for (const name of walk(WEB_ROOT)) {
    if (name === 'index.html') continue;
    files.set(name, file(readFileSync(path.join(WEB_ROOT, name)), name));
  }
  for (const [name, source] of Object.entries(vendorFiles())) files.set(name, file(readFileSync(source), name));

  const html = readFileSync(path.join(WEB_ROOT, 'index.html'), 'utf8').replaceAll('__API_PREFIX__', apiPrefix);
  const importMap = IMPORT_MAP.exec(html)?.[1];
  if (importMap === undefined) throw new Error('console: index.html has no import map');
  const hash = `sha256-${createHash('sha256').update(importMap, 'utf8').digest('base64')}`;
  return { files, index: file(Buffer.from(html, 'utf8'), 'index.html'), csp: consolePolicy(hash) };
}
