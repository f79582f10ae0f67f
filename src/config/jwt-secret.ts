import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from './app-config';

/**
 * The signing secret: JWT_SECRET when set; otherwise one generated on first start and kept in
 * DATA_DIR/.jwt-secret (mode 0600), so that restarts keep sessions valid (docs/API.md §5 Sessions and tokens).
 */
export async function resolveJwtSecret(config: AppConfig): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  const file = path.join(config.dataDir, '.jwt-secret');
  await fs.mkdir(config.dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two instances starting at once agree on one secret.
    await fs.writeFile(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = (await fs.readFile(file, 'utf8')).trim();
  if (Buffer.byteLength(secret, 'utf8') < 32) {
    throw new Error(`${file} holds a secret shorter than 32 bytes; remove it to generate a new one`);
  }
  return secret;
}
