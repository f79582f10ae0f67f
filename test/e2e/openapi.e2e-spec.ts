import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const GENERATOR = path.join(ROOT, 'dist/openapi/generate.js');

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
};

/** openapi.json is generated from the compiled code (npm test builds first) and committed. */
describe('openapi.json (e2e)', () => {
  const committed = readFileSync(path.join(ROOT, 'openapi.json'), 'utf8');
  const document = JSON.parse(committed) as Document;
  const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
  );

  it('matches what the code generates (run `npm run openapi` after changing routes or DTOs)', () => {
    expect(existsSync(GENERATOR)).toBe(true);
    const generated = execFileSync(process.execPath, [GENERATOR, '--stdout'], { encoding: 'utf8', cwd: ROOT });
    expect(generated).toBe(committed);
  });

  it('has unique operation ids and declares the error answers of each route', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { route, method, operation } of operations) {
      const codes = Object.keys(operation.responses);
      const where = `${method.toUpperCase()} ${route}`;
      if (operation.security?.length) expect({ where, has401: codes.includes('401') }).toEqual({ where, has401: true });
      if (route.startsWith('/api/admin')) expect({ where, has403: codes.includes('403') }).toEqual({ where, has403: true });
      if (route.includes('{user_id}'))
        expect({ where, has400and404: ['400', '404'].every((c) => codes.includes(c)) }).toEqual({ where, has400and404: true });
      if (operation.requestBody) expect({ where, has422: codes.includes('422') }).toEqual({ where, has422: true });
    }
  });

  it('gives an example for every scalar field of every schema', () => {
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const isReference =
          '$ref' in property ||
          'allOf' in property ||
          (property.type === 'array' && '$ref' in ((property.items as object) ?? {}));
        if (!isReference && !('example' in property)) missing.push(`${name}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('offers the OAuth2 password flow against /api/jwt/login and bearer auth', () => {
    const schemes = (document as unknown as { components: { securitySchemes: Record<string, unknown> } }).components
      .securitySchemes;
    expect(schemes).toMatchObject({
      oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/api/jwt/login' } } },
      bearer: { type: 'http', scheme: 'bearer' },
    });
  });
});
