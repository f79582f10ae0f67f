import axe from 'axe-core';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { ARTIFACTS_DIR, CspViolation, saveScreenshot } from './browser-chromium';

/** Screenshots of the console's pages, for a person to look at (git-ignored). */
export const CONSOLE_ARTIFACTS = path.join(ARTIFACTS_DIR, 'console');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** What went wrong in a page: console errors (with the address they concern) and uncaught errors. */
export interface PageWatch {
  errors: Array<{ text: string; url: string }>;
}

export function watch(page: Page): PageWatch {
  const watched: PageWatch = { errors: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') watched.errors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => watched.errors.push({ text: `pageerror: ${error.message}`, url: '' }));
  return watched;
}

/** Signs in on the sign-in page (from any console address) and waits for the page it lands on. */
export async function signIn(
  page: Page,
  baseUrl: string,
  identifier: string,
  password: string,
  landing = /\/console\/(approvals|account)$/,
) {
  await page.goto(`${baseUrl}/console/sign-in`);
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(landing);
  await page.locator('main h1').waitFor();
}

/**
 * axe-core on the page as it is: returns the serious and critical violations. The script is run
 * through the DevTools protocol (page.evaluate), so the page's CSP does not block it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(`${axe.source};0`);
  const violations = (await page.evaluate(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))
  `)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

export async function cspViolations(page: Page): Promise<CspViolation[]> {
  const seen = (await page.evaluate('window.__cspViolations')) as CspViolation[] | undefined;
  if (!Array.isArray(seen)) throw new Error('the CSP violation recorder did not run in this page');
  return seen;
}

/** Saves test-artifacts/console/<name>.png: the whole page, or only what the window shows. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
  await page.mouse.move(0, 0);
  const file = path.join(CONSOLE_ARTIFACTS, `${name}.png`);
  if (fullPage) await saveScreenshot(page, path.join('console', `${name}.png`));
  else await page.screenshot({ path: file, animations: 'disabled' });
}

/** Waits until the page's main content has loaded (no "Loading…" placeholder left). */
export async function settled(page: Page): Promise<void> {
  await page.locator('main h1').waitFor();
  await page.locator('main .loading').first().waitFor({ state: 'detached' });
}

/** Follows a link of the main navigation and waits for the page's heading. */
export async function openFromNav(page: Page, name: string, heading = name): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
  await settled(page);
}
