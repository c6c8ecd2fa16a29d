import { expect, type Browser, type Page } from '@playwright/test';

// What several specs do the same way.

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
