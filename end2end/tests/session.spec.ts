import { expect } from '@playwright/test';
import { test } from './helpers';

// A dashboard lives no longer than its session: when the session ends elsewhere, the server
// closes the socket for good and the agent is back at sign-in.

test('a dashboard whose session ends elsewhere returns to sign-in', async ({ page }) => {
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('citra@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The session ends outside this page (as when another tab signs out).
  const ended = await page.request.post('/api/agent/logout', { data: {} });
  expect(ended.ok()).toBeTruthy();

  await expect(page.getByRole('heading', { name: 'Sign in to Baton' })).toBeVisible({ timeout: 15_000 });
});
