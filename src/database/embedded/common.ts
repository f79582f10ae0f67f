import * as fs from 'node:fs';

// Declared here rather than in the entry file so the helper modules can throw it without a require cycle.
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface EmbeddedPostgresLogger {
  log(msg: string): void;
  warn(msg: string): void;
}

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ') || 'no output';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
