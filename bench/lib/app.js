// @ts-check
'use strict';
/**
 * The one place where the bench loads modules of the built app (its private build, see
 * `buildPrivate` in server.js): the configuration loader, the embedded PostgreSQL and the
 * password hasher's argon2 parameters. Where a module has moved between versions of the app, the
 * newer path is tried first.
 */
const fs = require('node:fs');
const path = require('node:path');
const { nodePath } = require('./server');

/** @typedef {import('./types').AppModules} AppModules */

/** Where the password hasher has lived, newest first (same exports: PasswordHasher, ARGON2_PARAMETERS). */
const HASHER_PATHS = [
  path.join('passwords', 'password-hasher.service.js'),
  path.join('auth', 'password', 'password-hasher.service.js'),
];

/**
 * Loads the built app's modules from `dist`. The built modules resolve their packages from the
 * repo's node_modules, so NODE_PATH is set for this process as it is for the servers.
 * @param {string} dist
 * @returns {AppModules}
 */
function loadApp(dist) {
  process.env.NODE_PATH = nodePath();
  /** @type {{ _initPaths(): void }} */ (/** @type {unknown} */ (require('node:module').Module))._initPaths();

  const { startEmbeddedPostgres } = require(path.join(dist, 'database', 'embedded-postgres.js'));
  // loadConfig(env) returns the app's configuration object, which may be frozen: it is only read.
  const { loadConfig } = require(path.join(dist, 'config', 'load-config.js'));

  /** @type {import('./types').Argon2Parameters | null} */
  let argon2Parameters = null;
  let hasherSource;
  const found = HASHER_PATHS.find((relative) => fs.existsSync(path.join(dist, relative)));
  if (!found) {
    hasherSource = `no password hasher in the build (looked for ${HASHER_PATHS.join(', ')})`;
  } else {
    try {
      const hasher = require(path.join(dist, found));
      if (!hasher.ARGON2_PARAMETERS) throw new Error(`${found} exports no ARGON2_PARAMETERS`);
      argon2Parameters = { ...hasher.ARGON2_PARAMETERS };
      hasherSource = `dist/${found.split(path.sep).join('/')}`;
    } catch (e) {
      hasherSource = String(e instanceof Error ? e.message : e).split('\n')[0];
    }
  }
  return { loadConfig, startEmbeddedPostgres, argon2Parameters, hasherSource };
}

module.exports = { loadApp, HASHER_PATHS };
