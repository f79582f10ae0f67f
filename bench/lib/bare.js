// @ts-check
'use strict';
/**
 * A bare NestJS app with one JSON GET route and nothing else (no guards, pipes, interceptors,
 * logger or database): the ceiling of the framework and its HTTP adapter on this machine.
 *
 * Usage: node bench/lib/bare.js '<json: port, adapter ("fastify" | "express"), prefix, route, depsDir>'
 * Prints `ready <json: versions>` once listening on 127.0.0.1:<port>.
 *
 * The NestJS packages are resolved from `depsDir` (default: the repo, i.e. the project's own
 * installed @nestjs/core, @nestjs/platform-fastify and fastify, the versions the app runs on).
 * `bench/adapter-hello.js` passes a scratch folder, for the Express adapter.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The version of the package a module file belongs to.
 * @param {string} file
 * @param {string} name
 */
function versionOf(file, name) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (pkg.name === name) return String(pkg.version);
    }
  }
  return 'unknown';
}

/**
 * @param {{ port: number, adapter?: string, prefix?: string, route?: string, depsDir?: string }} options
 */
async function serve({ port, adapter = 'fastify', prefix = '', route = 'hello', depsDir = ROOT }) {
  /** @type {Record<string, string>} */
  const versions = {};
  /**
   * @param {string} name
   * @param {string} [from] the folder to resolve from
   */
  const resolve = (name, from = path.resolve(depsDir)) => {
    const file = require.resolve(name, { paths: [from] });
    versions[name] = versionOf(file, name);
    return file;
  };
  require(resolve('reflect-metadata'));
  const { NestFactory } = require(resolve('@nestjs/core'));
  const { Controller, Get, Module } = require(resolve('@nestjs/common'));
  const reflect =
    /** @type {{ decorate(decorators: unknown[], target: object, key?: string, descriptor?: PropertyDescriptor): unknown }} */ (
      /** @type {unknown} */ (Reflect)
    );

  class BareController {
    answer() {
      return { status: 'ok' };
    }
  }
  reflect.decorate(
    [Get(route)],
    BareController.prototype,
    'answer',
    Object.getOwnPropertyDescriptor(BareController.prototype, 'answer'),
  );
  reflect.decorate([Controller()], BareController);
  class BareModule {}
  reflect.decorate([Module({ controllers: [BareController] })], BareModule);

  let app;
  if (adapter === 'fastify') {
    const platform = resolve('@nestjs/platform-fastify');
    resolve('fastify', path.dirname(platform)); // the fastify that platform-fastify loads
    const { FastifyAdapter } = require(platform);
    app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
  } else {
    require(resolve('@nestjs/platform-express'));
    app = await NestFactory.create(BareModule, { logger: false });
  }
  if (prefix) app.setGlobalPrefix(prefix);
  await app.listen(port, '127.0.0.1');
  process.stdout.write(`ready ${JSON.stringify({ versions })}\n`);
  const close = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

serve(JSON.parse(process.argv[2] || '{}')).catch((error) => {
  process.stderr.write(`bare: ${error.stack || error}\n`);
  process.exit(1);
});
