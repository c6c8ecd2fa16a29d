import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

// What several specs do the same way.

/**
 * Playwright's `test`, which also closes every browser context a test opened. Specs open
 * their own contexts (an agent, a customer on a phone); left open they would keep their
 * sockets, timers and renders running through every later spec on the same browser.
 */
export const test = base.extend<{ closeOwnContexts: void }>({
  closeOwnContexts: [
    async ({ browser }, use) => {
      const before = new Set<BrowserContext>(browser.contexts());
      await use();
      for (const context of browser.contexts()) {
        if (!before.has(context)) await context.close();
      }
    },
    { auto: true },
  ],
});

/** Signs `email` in (demo password) on /agent in a context of its own, at desktop size. */
export async function signIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}
