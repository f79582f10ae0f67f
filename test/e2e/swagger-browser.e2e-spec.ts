import type { AddressInfo } from 'node:net';
import { assertChromiumInstalled, launchChromium, saveScreenshot } from '../utils/browser-chromium';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { createActiveUser, Credentials } from '../utils/users';

const TIMEOUT = 60_000;

/**
 * Swagger UI in a real browser (Debian's chromium, driven by playwright-core): Authorize with the
 * OAuth2 password flow, run GET /api/whoami, see 200 with the username. Also proves helmet's CSP
 * lets Swagger UI load and run. Leaves test-artifacts/swagger-whoami.png behind.
 */
describe('Swagger UI in Chromium (e2e)', () => {
  let t: TestApp | undefined;
  let baseUrl: string;
  let user: Credentials & { id: string };

  beforeAll(async () => {
    // Fail (never skip) before booting anything when the browser is not there.
    assertChromiumInstalled();
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    user = await createActiveUser(t, 'browser', true);
  }, 2 * TIMEOUT);

  afterAll(async () => {
    await t?.close();
  }, TIMEOUT);

  it(
    'authorizes with username and password, then GET /api/whoami answers 200 with the username',
    async () => {
      const browser = await launchChromium(TIMEOUT);
      const { page } = browser;
      try {
        const docs = await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'load' });
        expect(docs?.status()).toBe(200);
        await page.locator('.swagger-ui .info .title', { hasText: 'Gatehouse' }).waitFor();

        // Authorize: the OAuth2 password flow posts the form to /api/jwt/login.
        await page.locator('.auth-wrapper button.authorize').click();
        const oauth = page.locator('.dialog-ux .auth-container').filter({ hasText: 'OAuth2, password' });
        await oauth.locator('#oauth_username').fill(user.username);
        await oauth.locator('#oauth_password').fill(user.password);
        const [token] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${baseUrl}/api/jwt/login` && r.request().method() === 'POST'),
          oauth.locator('button.authorize').click(),
        ]);
        expect(token.status()).toBe(200);
        // Once authorized, the form gives way to "Authorized", the username and a Logout button.
        await oauth.locator('button.authorize', { hasText: 'Logout' }).waitFor();
        await expect(oauth.locator('h6').textContent()).resolves.toBe('Authorized');
        await expect(oauth.locator('label[for=oauth_username] + code').textContent()).resolves.toContain(user.username);
        await oauth.locator('button.btn-done').click();
        await page.locator('.dialog-ux').waitFor({ state: 'detached' });

        // GET /api/whoami: expand, Try it out, Execute.
        const whoami = page.locator('#operations-auth-whoami');
        await whoami.locator('.opblock-summary').click();
        await whoami.locator('button.try-out__btn').click();
        const [answered] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${baseUrl}/api/whoami` && r.request().method() === 'GET'),
          whoami.locator('button.execute').click(),
        ]);
        expect(answered.status()).toBe(200);
        expect(answered.request().headers()['authorization']).toMatch(/^Bearer \S+$/);

        const live = whoami.locator('.live-responses-table .response');
        expect((await live.locator('.response-col_status').textContent())?.trim()).toBe('200');
        const body = live.locator('.response-col_description .highlight-code pre').first();
        const shown = JSON.parse((await body.textContent()) ?? '') as Record<string, unknown>;
        expect(shown).toMatchObject({ username: user.username, id: user.id, is_superuser: true });

        await whoami.scrollIntoViewIfNeeded();
        await saveScreenshot(page, 'swagger-whoami.png', '#operations-auth-whoami');

        // Nothing was blocked by the Content-Security-Policy, and nothing else went wrong on the page.
        expect(await browser.cspViolations()).toEqual([]);
        expect(browser.errors).toEqual([]);
      } catch (error) {
        await saveScreenshot(page, 'swagger-whoami-failure.png').catch(() => undefined);
        throw error;
      } finally {
        await browser.close();
      }
    },
    3 * TIMEOUT,
  );

  it(
    'loads over plain HTTP under a host name that is not loopback (nothing upgraded to https)',
    async () => {
      // Chromium trusts http://127.0.0.1 like https; a deployment's http://gatehouse.internal:8000 it does not.
      const browser = await launchChromium(TIMEOUT, ['--host-resolver-rules=MAP gatehouse.test 127.0.0.1']);
      const { page } = browser;
      const origin = `http://gatehouse.test:${new URL(baseUrl).port}`;
      const elsewhere: string[] = [];
      const failed: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(`${origin}/`)) elsewhere.push(r.url());
      });
      page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
      try {
        await page.goto(`${origin}/api/docs`, { waitUntil: 'load' });
        // helmet's default `upgrade-insecure-requests` would send every asset to https://, and fail.
        expect(elsewhere).toEqual([]);
        expect(failed).toEqual([]);
        await page.locator('#operations-auth-whoami').waitFor();
        expect(await browser.cspViolations()).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    2 * TIMEOUT,
  );
});
