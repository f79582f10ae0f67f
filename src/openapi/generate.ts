import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppModule } from '../app.module';
import { buildOpenApiDocument } from '../app.setup';
import { loadConfig } from '../config/load-config';

/** JSON with object keys sorted at every level, so the committed file diffs cleanly. */
export function sortedJson(value: unknown): string {
  const sort = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sort);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.keys(node as Record<string, unknown>)
          .sort()
          .map((key) => [key, sort((node as Record<string, unknown>)[key])]),
      );
    }
    return node;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/**
 * Writes openapi.json from the compiled code (the Swagger CLI plugin's metadata lives in dist/).
 * Preview mode builds the module graph without instantiating providers: no database is needed.
 */
async function main(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/unused',
    JWT_SECRET: 'x'.repeat(32),
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  if (config.apiPrefix) app.setGlobalPrefix(config.apiPrefix);
  const document = buildOpenApiDocument(app, config);
  const text = sortedJson(document);
  const target = process.argv[2] === '--stdout' ? null : path.resolve(process.argv[2] ?? 'openapi.json');
  if (target) writeFileSync(target, text);
  else process.stdout.write(text);
  await app.close();
}

main().catch((error: Error) => {
  process.stderr.write(`openapi generation failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
