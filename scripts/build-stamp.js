'use strict';
/**
 * Whether dist/ was built from the sources as they are now. The stamp is a SHA-256 of the build's
 * inputs (every file under src/, the TypeScript and Nest CLI configuration, the lockfile), written
 * to dist/.build-stamp after a successful build. `nest build` empties dist/ first, so a failed or
 * interrupted build leaves no stamp. File contents are hashed, not modification times: a checkout,
 * a copy with preserved times or a clock change cannot make a stale dist/ look current.
 *
 *   node scripts/build-stamp.js     writes the stamp for the sources as they are (npm's postbuild)
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];
const INPUT_DIRS = ['src'];
const STAMP = path.join('dist', '.build-stamp');

function filesUnder(root, dir) {
  const found = [];
  const walk = (relative) => {
    const entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) found.push(child);
    }
  };
  if (fs.existsSync(path.join(root, dir))) walk(dir);
  return found;
}

/** The digest of the build's inputs under `root` (the project folder). */
function sourcesDigest(root) {
  const hash = createHash('sha256');
  const files = [...INPUT_FILES, ...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir))];
  for (const file of files) {
    let content;
    try {
      content = fs.readFileSync(path.join(root, file));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      content = null;
    }
    hash.update(`${file}\0${content === null ? 'missing' : content.length}\0`);
    if (content !== null) hash.update(content);
  }
  return hash.digest('hex');
}

/** Why dist/ must be built, or undefined when it is current. */
function staleReason(root, digest = sourcesDigest(root)) {
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) return 'dist/main.js is missing';
  let stamp;
  try {
    stamp = fs.readFileSync(path.join(root, STAMP), 'utf8').trim();
  } catch {
    return 'dist/ has no build stamp';
  }
  return stamp === digest ? undefined : 'the sources changed since the last build';
}

function writeStamp(root, digest = sourcesDigest(root)) {
  fs.writeFileSync(path.join(root, STAMP), `${digest}\n`);
}

module.exports = { sourcesDigest, staleReason, writeStamp };

if (require.main === module) writeStamp(path.resolve(__dirname, '..'));
