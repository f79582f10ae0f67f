import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { assertChromiumInstalled, BrowserSession, launchChromium } from '../utils/browser-chromium';
import { axeViolations, cspViolations, openFromNav, PageWatch, screenshot, settled, signIn, watch } from '../utils/console-page';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, Credentials, register } from '../utils/users';

/**
 * The web console (docs/API.md §15 Console) in a real browser (Debian's chromium, driven by
 * playwright-core), against the whole app on real PostgreSQL. Every page visited is checked with
 * axe-core (no serious or critical violation), for CSP violations and for console errors, and
 * leaves a screenshot in test-artifacts/console/.
 */

const TIMEOUT = 60_000;

type TestBody = () => Promise<void>;
/** A test that drives several pages (and often a second tab): three times the usual time. */
const long = (name: string, body: TestBody) => it(name, body, 3 * TIMEOUT);

function unexpectedErrors(watched: PageWatch): string[] {
  return watched.errors.map((error) => `${error.text} ${error.url}`.trim());
}

/** axe-core, CSP and console errors on the page as it is now; then a screenshot. */
async function checkPage(page: Page, watched: PageWatch, name: string, fullPage = true): Promise<void> {
  await screenshot(page, name, fullPage);
  expect({ page: name, axe: await axeViolations(page) }).toEqual({ page: name, axe: [] });
  expect({ page: name, csp: await cspViolations(page) }).toEqual({ page: name, csp: [] });
  expect({ page: name, errors: unexpectedErrors(watched) }).toEqual({ page: name, errors: [] });
}

async function rowsOf(page: Page, tableSelector = 'main table'): Promise<string[]> {
  return page.locator(`${tableSelector} tbody tr`).allTextContents();
}

async function sessionToken(page: Page): Promise<string | null> {
  return (await page.evaluate('sessionStorage.getItem("gatehouse.token")')) as string | null;
}

async function registerPerson(
  t: TestApp,
  username: string,
  extra: Record<string, unknown> = {},
): Promise<Credentials & { id: string }> {
  const credentials = { username, email: `${username}@example.org`, password: `pw-${username}-long-enough` };
  const response = await register(t, credentials, extra);
  if (response.status !== 201) throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return { ...credentials, id: response.body.id as string };
}

/** The link a mail in DATA_DIR/outbox carries to a console page (quoted-printable undone). */
function linkFromOutbox(dataDir: string, page: 'reset-password' | 'verify', to: string): string {
  const outbox = path.join(dataDir, 'outbox');
  for (const name of readdirSync(outbox).sort().reverse()) {
    const text = readFileSync(path.join(outbox, name), 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/=3D/gi, '=');
    if (!text.includes(to)) continue;
    const found = new RegExp(`https?://[^\\s"<>]*/console/${page}\\?token=[^\\s"<>&]+`).exec(text);
    if (found) return found[0];
  }
  throw new Error(`no ${page} link for ${to} in ${outbox}`);
}

describe('Console in Chromium (e2e)', () => {
  let t: TestApp;
  let baseUrl: string;
  let admin: Credentials & { id: string };
  let browser: BrowserSession;
  let page: Page;
  let watched: PageWatch;

  beforeAll(async () => {
    assertChromiumInstalled();
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await createActiveUser(t, 'ada', true);
    browser = await launchChromium(TIMEOUT);
    page = browser.page;
    watched = watch(page);
  }, 2 * TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, TIMEOUT);

  /** A second person's browser tab: its own sessionStorage, so its own session. */
  async function otherTab(): Promise<{ tab: Page; tabWatch: PageWatch }> {
    const tab = await browser.context.newPage();
    return { tab, tabWatch: watch(tab) };
  }

  it('serves the console outside the API prefix with its own CSP; Swagger UI keeps its policy', async () => {
    const root = await t.http.get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
    expect((await t.http.get('/console')).headers.location).toBe('/console/');

    for (const address of [
      '/console/',
      '/console/approvals',
      '/console/users/0f0e0d0c-0b0a-4908-8706-050403020100',
      '/console/verify',
    ]) {
      const html = await t.http.get(address);
      expect({ address, status: html.status, type: html.headers['content-type'] }).toEqual({
        address,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      const policy = html.headers['content-security-policy'] as string;
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      expect(policy).toContain("style-src 'self'");
      // Nothing comes from elsewhere: every src and href of the page is on this server.
      expect(html.text.match(/(src|href)="(?!\/console\/)[^"]*"/g)).toBeNull();
      expect(html.text).toContain('<meta name="gatehouse-api-prefix" content="/api" />');
    }
    const script = await t.http.get('/console/app/main.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await t.http.get('/console/vendor/preact.mjs')).status).toBe(200);
    expect((await t.http.get('/console/app/missing.js')).status).toBe(404);
    const styles = await t.http.get('/console/assets/console.css');
    expect(styles.headers['cache-control']).toBe('no-cache');
    expect((await t.http.get('/console/assets/console.css').set('If-None-Match', styles.headers.etag as string)).status).toBe(
      304,
    );

    const docs = await t.http.get('/api/docs/');
    expect(docs.headers['content-security-policy']).toContain("'unsafe-inline'");
  });

  it(
    'sign-in: a refusal shows the API detail in role alert; a superuser lands on Approvals with the full navigation',
    async () => {
      await page.goto(`${baseUrl}/`);
      await page.waitForURL(`${baseUrl}/console/sign-in`);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await checkPage(page, watched, 'sign-in');

      await page.getByLabel('Username or email').fill(admin.username);
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Invalid credentials');
      await checkPage(page, { errors: watched.errors.filter((e) => !e.url.endsWith('/api/login')) }, 'sign-in-refused');

      await page.getByLabel('Password', { exact: true }).fill(admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${baseUrl}/console/approvals`);
      await settled(page);
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const name of ['Approvals', 'Users', 'Trusted domains', 'Audit', 'Account']) {
        expect({ name, count: await nav.getByRole('link', { name, exact: true }).count() }).toEqual({ name, count: 1 });
      }
      expect(await sessionToken(page)).toMatch(/^ey/);
      watched.errors.length = 0;
    },
    3 * TIMEOUT,
  );

  it(
    'approvals: a registration arrives, the admin sees it, rejects one with a reason in the dialog, approves another, who signs in',
    async () => {
      const grace = await registerPerson(t, 'grace.hopper', {
        institution: 'Harvard University',
        approval_note: 'Compiler group; needs the graph store for the COBOL history project.',
      });
      const alan = await registerPerson(t, 'alan.turing', { institution: 'University of Manchester', approval_note: 'Postdoc' });
      const marie = await registerPerson(t, 'marie.curie', { institution: 'Université Paris Cité' });
      await t.sql(`UPDATE users SET created_at = now() - interval '4 days' WHERE id = $1`, [grace.id]);
      await t.sql(`UPDATE users SET created_at = now() - interval '20 hours' WHERE id = $1`, [alan.id]);

      await openFromNav(page, 'Approvals');
      const row = (who: Credentials) => page.getByRole('row').filter({ hasText: who.username });
      await row(marie).waitFor();
      // Oldest first, with username, email, institution, note and waiting time.
      const rows = await rowsOf(page, '#queue');
      expect(rows.map((text) => text.match(/grace\.hopper|alan\.turing|marie\.curie/)?.[0])).toEqual([
        'grace.hopper',
        'alan.turing',
        'marie.curie',
      ]);
      expect(rows[0]).toContain('grace.hopper@example.org');
      expect(rows[0]).toContain('Harvard University');
      expect(rows[0]).toContain('COBOL history project');
      expect(rows[0]).toContain('4 days');
      expect(rows[1]).toContain('20 hours');
      // The count of waiting people beside the Approvals link, whose name stays "Approvals".
      await page.locator('#pending-count', { hasText: /^3 waiting$/ }).waitFor();
      await page.getByRole('link', { name: 'Approvals', exact: true }).waitFor();
      await checkPage(page, watched, 'approvals');

      // Keyboard alone: Reject opens the dialog with the focus in Reason; Escape closes it and the
      // focus goes back to the button.
      const reject = row(alan).getByRole('button', { name: 'Reject', exact: true });
      await reject.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await page.evaluate('document.activeElement.labels[0].textContent')).toBe('Reason');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Reject');

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.type('Not a member of a partner institution');
      await checkPage(page, watched, 'approvals-reject-dialog');
      await page.keyboard.press('Tab'); // Cancel
      await page.keyboard.press('Tab'); // Confirm
      expect(await page.evaluate('document.activeElement.textContent.trim()')).toBe('Confirm');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await row(alan).waitFor({ state: 'detached' });
      const [rejected] = await t.sql<{ approval_status: string; is_active: boolean }>(
        'SELECT approval_status, is_active FROM users WHERE id = $1',
        [alan.id],
      );
      expect(rejected).toEqual({ approval_status: 'rejected', is_active: false });
      const [audited] = await t.sql<{ details: { reason?: string } }>(
        `SELECT details FROM audit_events WHERE event_type = 'admin_user_rejected' AND target_id = $1`,
        [alan.id],
      );
      expect(audited.details.reason).toBe('Not a member of a partner institution');

      await row(grace).getByRole('button', { name: 'Approve', exact: true }).click();
      await row(grace).waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'grace.hopper approved' }).waitFor();
      await page.locator('#pending-count', { hasText: '1' }).waitFor();
      const [approved] = await t.sql<{ approval_status: string }>('SELECT approval_status FROM users WHERE id = $1', [grace.id]);
      expect(approved.approval_status).toBe('approved');
      await checkPage(page, watched, 'approvals-after-decisions');

      // The approved person signs in, in a tab of their own, and sees their own console only.
      const { tab, tabWatch } = await otherTab();
      try {
        await signIn(tab, baseUrl, grace.email, grace.password, /\/console\/account$/);
        expect(await tab.locator('.who-name').textContent()).toContain('grace.hopper');
        const nav = tab.getByRole('navigation', { name: 'Main' });
        expect(await nav.getByRole('link').allTextContents()).toEqual(['Account']);
        await tab.getByRole('heading', { level: 2, name: 'Profile' }).waitFor();
        expect(unexpectedErrors(tabWatch)).toEqual([]);
      } finally {
        await tab.close();
      }
      // The rejected one is told so on the sign-in page.
      const { tab: refused } = await otherTab();
      try {
        await refused.goto(`${baseUrl}/console/sign-in`);
        await refused.getByLabel('Username or email').fill(alan.username);
        await refused.getByLabel('Password', { exact: true }).fill(alan.password);
        await refused.getByRole('button', { name: 'Sign in' }).click();
        expect(await refused.getByRole('alert').textContent()).toContain('Account registration was rejected');
      } finally {
        await refused.close();
      }
    },
    3 * TIMEOUT,
  );

  it(
    'users: search, filters and keyset pages',
    async () => {
      const names = Array.from({ length: 53 }, (_, i) => `member${String(i + 1).padStart(2, '0')}`);
      for (let i = 0; i < names.length; i += 4) {
        await Promise.all(names.slice(i, i + 4).map((name) => registerPerson(t, name, { institution: 'Example Lab' })));
      }
      await openFromNav(page, 'Users');
      await page.getByLabel('Search').fill('member');
      const lead = page.locator('main .lead');
      await lead.filter({ hasText: '53 users match' }).waitFor();
      await page.locator('main table tbody tr').nth(49).waitFor();
      expect(await page.locator('main table tbody tr').count()).toBe(50);
      await checkPage(page, watched, 'users');

      await page.getByRole('button', { name: 'Next page' }).click();
      await page.locator('main table tbody tr').nth(3).waitFor({ state: 'detached' });
      expect(await page.locator('main table tbody tr').count()).toBe(3);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.locator('main table tbody tr').nth(49).waitFor();

      await page.getByLabel('Sort').selectOption('username');
      await page.locator('main table tbody tr').first().filter({ hasText: 'member01' }).waitFor();

      // While a new filter loads, the rows on screen answer the old one: their count and their
      // next page are not offered as the new filter's.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/admin/users?*', async (route) => {
        await held;
        await route.continue();
      });
      await page.getByLabel('Sort').selectOption('-username');
      await lead.filter({ hasText: 'Updating the list…' }).waitFor();
      expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
      expect(await page.locator('main table').getAttribute('aria-busy')).toBe('true');
      const answered = page.waitForResponse((response) => response.url().includes('/api/admin/users?'));
      release();
      await answered;
      await page.unroute('**/api/admin/users?*');
      await page.locator('main table tbody tr').first().filter({ hasText: 'member53' }).waitFor();
      await lead.filter({ hasText: '53 users match' }).waitFor();
      await page.getByRole('button', { name: 'Next page' }).waitFor();

      await page.getByLabel('Search').fill('');
      await page.getByLabel('Superuser').selectOption('true');
      await lead.filter({ hasText: '1 user matches' }).waitFor();
      expect(await rowsOf(page)).toEqual([expect.stringContaining(admin.username)]);
      await page.getByLabel('Superuser').selectOption('');
      await page.getByLabel('Status').selectOption('rejected');
      await lead.filter({ hasText: '1 user matches' }).waitFor();
      expect(await rowsOf(page)).toEqual([expect.stringContaining('alan.turing')]);
      // Filters live in the address: a reload keeps them.
      expect(new URL(page.url()).searchParams.get('status')).toBe('rejected');
      expect(unexpectedErrors(watched)).toEqual([]);
    },
    3 * TIMEOUT,
  );

  it(
    "a user's page: promote, demote, deactivate (their open console returns to sign-in), refusals in role alert, delete",
    async () => {
      const target = await createActiveUser(t, 'rosalind');
      const { tab, tabWatch } = await otherTab();
      try {
        await signIn(tab, baseUrl, target.username, target.password, /\/console\/account$/);

        await openFromNav(page, 'Users');
        await page.getByLabel('Search').fill(target.username);
        await page.getByRole('link', { name: target.username, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: target.username }).waitFor();
        expect(page.url()).toBe(`${baseUrl}/console/users/${target.id}`);
        await page.getByRole('heading', { level: 2, name: 'Sessions' }).waitFor();
        await page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
        const button = (name: string) => page.getByRole('button', { name, exact: true });
        expect(await button('Demote').count()).toBe(0);
        expect(await button('Activate').count()).toBe(0);
        for (const name of ['Promote', 'Deactivate', 'Unlock', 'Delete']) await button(name).waitFor();
        await settled(page);
        await checkPage(page, watched, 'user');

        const confirm = async (action: string, screenshotName?: string) => {
          await button(action).click();
          const dialog = page.getByRole('dialog');
          await dialog.waitFor();
          if (screenshotName) await checkPage(page, watched, screenshotName);
          await dialog.getByRole('button', { name: 'Confirm' }).click();
          await dialog.waitFor({ state: 'detached' });
        };
        const state = async () =>
          (
            await t.sql<{ is_superuser: boolean; is_active: boolean }>(
              'SELECT is_superuser, is_active FROM users WHERE id = $1',
              [target.id],
            )
          )[0];

        await confirm('Promote', 'user-promote-dialog');
        await button('Demote').waitFor();
        expect(await state()).toEqual({ is_superuser: true, is_active: true });
        await confirm('Demote');
        await button('Promote').waitFor();
        expect(await state()).toEqual({ is_superuser: false, is_active: true });
        await confirm('Deactivate');
        await button('Activate').waitFor();
        expect(await state()).toEqual({ is_superuser: false, is_active: false });
        await page.locator('main').getByText('Promoted to superuser', { exact: true }).waitFor();

        // The deactivated user's open console: its next request is refused, and it says so.
        await tab.getByRole('link', { name: 'Account', exact: true }).click();
        await tab.waitForURL(`${baseUrl}/console/sign-in`);
        expect(await tab.getByRole('alert').textContent()).toContain('Your session has ended');
        expect(await sessionToken(tab)).toBeNull();
        expect(unexpectedErrors(tabWatch).filter((error) => !error.includes('401'))).toEqual([]);
      } finally {
        await tab.close();
      }

      // A refusal of the API, in plain words in role="alert" inside the dialog.
      await page.goto(`${baseUrl}/console/users/${admin.id}`);
      await page.getByRole('heading', { level: 1, name: admin.username }).waitFor();
      await page.getByRole('button', { name: 'Demote', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Cannot demote yourself' }).waitFor();
      await checkPage(page, { errors: watched.errors.filter((e) => !e.url.endsWith('/demote')) }, 'user-refused');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      watched.errors.length = 0;

      // Delete, confirmed, goes back to the list.
      const doomed = await createActiveUser(t, 'doomed');
      await page.goto(`${baseUrl}/console/users/${doomed.id}`);
      await page.getByRole('heading', { level: 1, name: doomed.username }).waitFor();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL(`${baseUrl}/console/users`);
      expect(await t.sql('SELECT id FROM users WHERE id = $1', [doomed.id])).toEqual([]);
      expect(unexpectedErrors(watched)).toEqual([]);
    },
    3 * TIMEOUT,
  );

  it(
    'audit: the trail newest first, filtered by event type, in keyset pages',
    async () => {
      await openFromNav(page, 'Audit');
      await page.locator('main table tbody tr').first().waitFor();
      await checkPage(page, watched, 'audit');

      await page.getByLabel('Event type').selectOption('user_registered');
      await page.getByRole('button', { name: 'Older events' }).waitFor();
      await page.locator('main table tbody tr').nth(49).waitFor();
      const types = await page.locator('main table tbody code.event-type').allTextContents();
      expect(new Set(types)).toEqual(new Set(['user_registered']));
      const first = await page.locator('main table tbody tr').first().textContent();
      await page.getByRole('button', { name: 'Older events' }).click();
      await page
        .locator('main table tbody tr')
        .first()
        .filter({ hasNotText: first ?? '' })
        .waitFor();
      await page.getByRole('button', { name: 'Newer events' }).click();
      await page
        .locator('main table tbody tr')
        .first()
        .filter({ hasText: first ?? '' })
        .waitFor();

      await page.getByLabel('Event type').selectOption('admin_user_rejected');
      await page.locator('main table tbody tr').first().filter({ hasText: 'Not a member of a partner institution' }).waitFor();
      expect(unexpectedErrors(watched)).toEqual([]);
    },
    3 * TIMEOUT,
  );

  it(
    'is usable 360 px wide, in light and dark colour schemes',
    async () => {
      await registerPerson(t, 'ada.lovelace', {
        institution: 'Analytical Engine Society',
        approval_note: 'Programs for the engine',
      });
      await page.setViewportSize({ width: 360, height: 780 });
      try {
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          for (const [name, heading] of [
            ['Approvals', 'Approvals'],
            ['Users', 'Users'],
            ['Audit', 'Audit'],
          ]) {
            await openFromNav(page, name, heading);
            await page.locator('main table tbody tr').first().waitFor();
            const overflow = (await page.evaluate('document.documentElement.scrollWidth')) as number;
            expect({ name, scheme, overflow }).toEqual({ name, scheme, overflow: 360 });
            await checkPage(page, watched, `${name.toLowerCase()}-360-${scheme}`, false);
          }
        }
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.setViewportSize({ width: 1280, height: 1000 });
        await openFromNav(page, 'Approvals');
        await page.locator('main table tbody tr').first().waitFor();
        await checkPage(page, watched, 'approvals-dark');
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 1000 });
      }
    },
    3 * TIMEOUT,
  );

  it(
    'sign out ends the session on the server and returns to sign-in',
    async () => {
      const person = await createActiveUser(t, 'leaving');
      const { tab } = await otherTab();
      try {
        await signIn(tab, baseUrl, person.username, person.password, /\/console\/account$/);
        const token = await sessionToken(tab);
        await tab.getByRole('button', { name: 'Sign out', exact: true }).click();
        await tab.waitForURL(`${baseUrl}/console/sign-in`);
        await tab.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
        expect(await sessionToken(tab)).toBeNull();
        expect((await t.http.get('/api/whoami').set('Authorization', `Bearer ${token}`)).status).toBe(401);
      } finally {
        await tab.close();
      }
    },
    2 * TIMEOUT,
  );

  // ---- account, bulk decisions, trusted domains, sessions, export, recovery ----------------------

  long('account: profile, institution, change password, sessions with Revoke', async () => {
    const person = await createActiveUser(t, 'account');
    const { tab, tabWatch } = await otherTab();
    const { tab: second } = await otherTab();
    try {
      await signIn(second, baseUrl, person.username, person.password, /\/console\/account$/);
      await signIn(tab, baseUrl, person.username, person.password, /\/console\/account$/);
      await settled(tab);
      await tab.getByText(person.email).waitFor();
      await tab.getByLabel('Institution').fill('Institut Pasteur');
      await tab.getByRole('button', { name: 'Save institution' }).click();
      await tab.getByRole('status').filter({ hasText: 'Institution saved' }).waitFor();
      expect(
        (await t.sql<{ institution: string }>('SELECT institution FROM users WHERE id = $1', [person.id]))[0].institution,
      ).toBe('Institut Pasteur');
      expect(await tab.getByRole('button', { name: 'Revoke', exact: true }).count()).toBe(2);
      await checkPage(tab, tabWatch, 'account');

      await tab.getByLabel('Current password').fill('wrong password');
      await tab.getByLabel('New password').fill('a brand new password');
      await tab.getByRole('button', { name: 'Change password' }).click();
      expect(await tab.getByRole('alert').textContent()).toContain('Invalid current password');
      await tab.getByLabel('Current password').fill(person.password);
      await tab.getByRole('button', { name: 'Change password' }).click();
      await tab.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
      // The other session ended with the change; this one stays and lists itself alone.
      await tab.getByRole('button', { name: 'Revoke', exact: true }).nth(1).waitFor({ state: 'detached' });

      // Revoking the current session signs out.
      await tab.getByRole('button', { name: 'Revoke', exact: true }).click();
      await tab.waitForURL(`${baseUrl}/console/sign-in`);
      expect(await sessionToken(tab)).toBeNull();
    } finally {
      await tab.close();
      await second.close();
    }
  });

  long('approvals: filter by institution and search; the trusted domain is shown', async () => {
    await t.http
      .post('/api/login')
      .send({ username_or_email: admin.username, password: admin.password })
      .then((r) =>
        t.http
          .post('/api/admin/trusted-domains')
          .set('Authorization', `Bearer ${r.body.access_token}`)
          .send({ domain: 'filter-lab.example', institution: 'Filter Lab' }),
      );
    await registerPerson(t, 'filter.one', { institution: 'Filter Lab' });
    const credentials = { username: 'filter.two', email: 'filter.two@filter-lab.example', password: 'pw-filter-two-long' };
    await register(t, credentials, { institution: 'Other Place' });
    await openFromNav(page, 'Approvals');
    await page.getByLabel('Institution').fill('filter lab');
    await page.locator('#queue tbody tr').filter({ hasText: 'filter.two' }).waitFor({ state: 'detached' });
    await page.locator('#queue tbody tr').filter({ hasText: 'filter.one' }).waitFor();
    expect((await rowsOf(page, '#queue')).every((text) => text.includes('Filter Lab'))).toBe(true);
    await page.getByLabel('Institution').fill('');
    await page.getByLabel('Search').fill('filter.two');
    await page.locator('#queue tbody tr').filter({ hasText: 'filter.one' }).waitFor({ state: 'detached' });
    const row = page.locator('#queue tbody tr').filter({ hasText: 'filter.two' });
    await row.waitFor();
    expect(await rowsOf(page, '#queue')).toHaveLength(1);
    expect(await row.textContent()).toContain('filter-lab.example');
    await checkPage(page, watched, 'approvals-filtered');
  });

  long('approvals: select several and decide them at once', async () => {
    const people = await Promise.all(['bulk.one', 'bulk.two', 'bulk.three'].map((name) => registerPerson(t, name)));
    await openFromNav(page, 'Approvals');
    await page.getByLabel('Search').fill('bulk.');
    for (const person of people.slice(0, 2)) await page.getByLabel(`Select ${person.username}`).check();
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await page.getByRole('status').filter({ hasText: '2 people approved' }).waitFor();
    await page.getByLabel(`Select ${people[2].username}`).check();
    await page.getByRole('button', { name: 'Reject selected' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Duplicate accounts');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: '1 person rejected' }).waitFor();
    const states = await t.sql<{ username: string; approval_status: string }>(
      `SELECT username, approval_status FROM users WHERE username LIKE 'bulk.%' ORDER BY username`,
    );
    expect(states).toEqual([
      { username: 'bulk.one', approval_status: 'approved' },
      { username: 'bulk.three', approval_status: 'rejected' },
      { username: 'bulk.two', approval_status: 'approved' },
    ]);
  });

  long("a user's page: sessions, Revoke all sessions, Unlock", async () => {
    const person = await createActiveUser(t, 'sessions');
    const { tab } = await otherTab();
    try {
      await signIn(tab, baseUrl, person.username, person.password, /\/console\/account$/);
      await page.goto(`${baseUrl}/console/users/${person.id}`);
      await page.getByRole('heading', { level: 1, name: person.username }).waitFor();
      await page.locator('.session-list li').first().waitFor();
      expect(await page.locator('.session-list li').first().textContent()).toMatch(/, last seen [A-Z]/);
      await checkPage(page, watched, 'user-sessions');
      await page.getByRole('button', { name: 'Revoke all sessions' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('No open session').waitFor();
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('status').filter({ hasText: 'unlocked' }).waitFor();
      await tab.reload();
      await tab.waitForURL(`${baseUrl}/console/sign-in`);
    } finally {
      await tab.close();
    }
  });

  long('trusted domains: list, add, remove', async () => {
    await openFromNav(page, 'Trusted domains');
    await page.getByLabel('Domain').fill('uni-example.edu');
    await page.getByLabel('Institution').fill('Example University');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const row = page.locator('#domains tbody tr').filter({ hasText: 'uni-example.edu' });
    await row.waitFor();
    await page.getByLabel('Domain').fill('uni-example.edu');
    await page.getByRole('button', { name: 'Add domain' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Trusted domain already exists');
    await checkPage(page, { errors: watched.errors.filter((e) => !e.url.endsWith('/trusted-domains')) }, 'trusted-domains');
    watched.errors.length = 0;
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
  });

  long('audit: export as CSV and NDJSON', async () => {
    await openFromNav(page, 'Audit');
    for (const [button, pattern] of [
      ['Export CSV', /\.csv$/],
      ['Export NDJSON', /\.ndjson$/],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      expect(download.suggestedFilename()).toMatch(pattern);
    }
  });

  long('reset-password page from the mail link', async () => {
    const person = await createActiveUser(t, 'forgetful');
    const { tab, tabWatch } = await otherTab();
    try {
      await tab.goto(`${baseUrl}/console/sign-in`);
      await tab.getByRole('link', { name: 'Forgot your password?' }).click();
      await tab.getByLabel('Email').fill(person.email);
      await tab.getByRole('button', { name: 'Send the link' }).click();
      await tab.getByRole('status').waitFor();
      let link = '';
      for (let i = 0; i < 50 && !link; i += 1) {
        try {
          link = linkFromOutbox(t.dataDir, 'reset-password', person.email);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const url = new URL(link);
      await tab.goto(`${baseUrl}${url.pathname}${url.search}`);
      await tab.getByLabel('New password').fill('a fresh new password');
      await checkPage(tab, tabWatch, 'reset-password');
      await tab.getByRole('button', { name: 'Reset password' }).click();
      await tab.getByRole('status').filter({ hasText: 'Your password has been changed' }).waitFor();
      await signIn(tab, baseUrl, person.username, 'a fresh new password', /\/console\/account$/);
    } finally {
      await tab.close();
    }
  });
});

describe('Console: the idle warning (e2e)', () => {
  // Long enough for axe-core to run inside the warning window on a busy machine.
  const IDLE_SECONDS = 20;
  let t: TestApp;
  let baseUrl: string;
  let admin: Credentials & { id: string };

  beforeAll(async () => {
    assertChromiumInstalled();
    t = await createTestApp({ SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS) });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await createActiveUser(t, 'idle', true);
  }, 2 * TIMEOUT);

  afterAll(async () => {
    await t?.close();
  }, TIMEOUT);

  it(
    'warns before the idle limit; Stay signed in keeps the session; then, left alone, it ends and returns to sign-in',
    async () => {
      const browser = await launchChromium(TIMEOUT);
      const { page } = browser;
      const watched = watch(page);
      try {
        await signIn(page, baseUrl, admin.username, admin.password);
        const warning = page.getByRole('alertdialog', { name: 'Your session is about to end' });
        await warning.waitFor({ timeout: IDLE_SECONDS * 1000 });
        await checkPage(page, watched, 'idle-warning');
        await warning.getByRole('button', { name: 'Stay signed in' }).click();
        await warning.waitFor({ state: 'detached' });
        expect(page.url()).toBe(`${baseUrl}/console/approvals`);

        // Left alone this time: the warning comes back, then the session ends.
        await warning.waitFor({ timeout: IDLE_SECONDS * 1000 });
        await page.waitForURL(`${baseUrl}/console/sign-in`, { timeout: 3 * IDLE_SECONDS * 1000 });
        expect(await page.getByRole('alert').textContent()).toContain(
          `Your session ended after ${IDLE_SECONDS} seconds without activity`,
        );
        expect(unexpectedErrors(watched).filter((error) => !error.includes('401'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    3 * TIMEOUT,
  );
});

describe('Console: the verification page (e2e)', () => {
  long('verify page from the mail link', async () => {
    const t = await createTestApp({ EMAIL_VERIFICATION: 'required' });
    const browser = await launchChromium(TIMEOUT);
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
      await createActiveUser(t, 'first', true);
      const person = await registerPerson(t, 'unverified');
      let link = '';
      for (let i = 0; i < 50 && !link; i += 1) {
        try {
          link = linkFromOutbox(t.dataDir, 'verify', person.email);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const url = new URL(link);
      const watched = watch(browser.page);
      await browser.page.goto(`${baseUrl}${url.pathname}${url.search}`);
      await browser.page.getByRole('status').filter({ hasText: 'is verified' }).waitFor();
      expect(new URL(browser.page.url()).search).toBe('');
      await checkPage(browser.page, watched, 'verify');
    } finally {
      await browser.close();
      await t.close();
    }
  });
});

// Its own app, after the others are closed: two apps alive in one process share passport's
// strategy registry, so closing one breaks the other's authentication.
describe('Console: CONSOLE_ENABLED=false (e2e)', () => {
  it('serves neither / nor /console/', async () => {
    const off = await createTestApp({ CONSOLE_ENABLED: 'false' });
    try {
      expect((await off.http.get('/')).status).toBe(404);
      expect((await off.http.get('/console/')).status).toBe(404);
      expect((await off.http.get('/api/config')).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
