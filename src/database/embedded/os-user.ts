import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedPostgresError, EmbeddedPostgresLogger } from './common';

const SERVER_OS_USER = 'postgres';

/** The OS user the server runs as; uid/gid only when we are root and must drop privileges. */
export interface ServerUser {
  name: string;
  uid?: number;
  gid?: number;
}

export function resolveServerUser(logger: EmbeddedPostgresLogger): ServerUser {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { name: os.userInfo().username };
  }
  if (idOf('-u') === undefined) {
    const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_OS_USER], {
      encoding: 'utf8',
    });
    if (created.status !== 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and creating the OS user "${SERVER_OS_USER}" failed: ${(created.stderr || String(created.error)).trim()}`,
      );
    }
    logger.warn(`Created system user "${SERVER_OS_USER}" to run the embedded PostgreSQL (it refuses to run as root)`);
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedPostgresError(`Cannot read the uid/gid of OS user "${SERVER_OS_USER}"`);
  }
  return { name: SERVER_OS_USER, uid, gid };
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, SERVER_OS_USER], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

function canExecute(target: string, user: ServerUser): boolean {
  if (user.uid === undefined) {
    try {
      fs.accessSync(target, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  // Asking as the server user also catches ACLs and noexec mounts that mode bits do not show.
  return spawnSync('test', ['-x', target], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** The outermost path on the way to `target` that `user` cannot enter or run. */
export function firstInaccessible(target: string, user: ServerUser): string | undefined {
  if (canExecute(target, user)) return undefined;
  const chain: string[] = [];
  for (let p = target; ; p = path.dirname(p)) {
    chain.unshift(p);
    if (path.dirname(p) === p) break;
  }
  return chain.find((p) => !canExecute(p, user)) ?? target;
}

/** Fails early with a one-line reason when the server user could not reach the cluster, then creates DATA_DIR. */
export function prepareDataDir(root: string, cluster: string, user: ServerUser): void {
  let existing = root;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const blockedDir = firstInaccessible(existing, user);
  if (blockedDir) {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL: OS user "${user.name}" cannot traverse ${blockedDir} (on the way to ${cluster}); ` +
        `allow it (chmod o+x) or set DATA_DIR elsewhere, or set DATABASE_URL to use an external PostgreSQL`,
    );
  }
  if (existing !== root) {
    const firstCreated = fs.mkdirSync(root, { recursive: true });
    // A root umask of 077 would lock the server user out of directories we create.
    if (user.uid !== undefined && firstCreated) {
      for (let p = root; p.startsWith(firstCreated); p = path.dirname(p)) {
        fs.chmodSync(p, p === root ? 0o711 : 0o755);
        if (p === firstCreated) break;
      }
    }
  }
}

export function chownTo(target: string, user: ServerUser): void {
  if (user.uid !== undefined && user.gid !== undefined) fs.chownSync(target, user.uid, user.gid);
}

/** A cluster restored or copied as root would otherwise be refused by the server ("wrong ownership"). */
export function fixClusterOwnership(cluster: string, user: ServerUser): void {
  const stat = fs.statSync(cluster);
  const { uid, gid } = user;
  if (uid !== undefined && gid !== undefined && stat.uid !== uid) {
    const walk = (p: string): void => {
      fs.lchownSync(p, uid, gid);
      if (fs.lstatSync(p).isDirectory()) for (const child of fs.readdirSync(p)) walk(path.join(p, child));
    };
    walk(cluster);
  }
  if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(cluster, 0o700);
}
