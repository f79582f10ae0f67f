import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, ConsoleMessage, Page } from 'playwright-core';

/** Debian's chromium package; `.ci/run` installs it when it is missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Git-ignored folder for screenshots and other things a test leaves behind for a person to look at. */
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

/**
 * Headless, no sandbox (we run as root), and no traffic of Chromium's own: the machine has no
 * network, and without these flags Chromium's background connections are refused and logged.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
  // Containers often give /dev/shm only 64 MB; Debian's wrapper means to add this then, but its
  // size check breaks when findmnt prints more than one line.
  '--disable-dev-shm-usage',
];

export interface CspViolation {
  directive: string;
  blocked: string;
  source: string;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** `securitypolicyviolation` events seen by the page's current document (fails if the recorder is missing). */
  cspViolations(): Promise<CspViolation[]>;
  close(): Promise<void>;
}

// A string, not a function: the project's TypeScript has no DOM types.
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile + ':' + e.lineNumber });
  });
`;

/** Fails, never skips, when Chromium is not installed. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install chromium: apt-get install -y chromium`);
  }
}

/**
 * Launches Chromium on a fresh profile (playwright's launchPersistentContext on a mkdtemp folder,
 * i.e. a fresh --user-data-dir) and opens one page; `close()` removes the profile again.
 */
export async function launchChromium(timeoutMs = 60_000, extraArgs: string[] = []): Promise<BrowserSession> {
  assertChromiumInstalled();
  const profile = mkdtempSync(path.join(tmpdir(), 'gatehouse-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      timeout: timeoutMs,
      viewport: { width: 1280, height: 1000 },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return {
    context,
    page,
    errors,
    cspViolations: async () => {
      const seen = (await page.evaluate('window.__cspViolations')) as CspViolation[] | undefined;
      if (!Array.isArray(seen)) throw new Error('the CSP violation recorder did not run in this page');
      return seen;
    },
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Saves a screenshot of the page (or of one element) under test-artifacts/; returns the path. */
export async function saveScreenshot(page: Page, name: string, selector?: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, name);
  if (selector) await page.locator(selector).screenshot({ path: file, animations: 'disabled' });
  else await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}
