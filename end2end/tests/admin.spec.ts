import { expect } from '@playwright/test';
import { test } from './helpers';

test('an admin adds an agent on the admin page and sees it in the audit log', async ({ page }) => {
  const run = Date.now().toString(36).slice(-5);
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('admin@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Admin' }).click();

  await expect(page.getByRole('heading', { name: 'Agents' })).toBeVisible();
  await page.getByLabel('E-mail').fill(`eka.${run}@baton.dev`);
  await page.getByLabel('Display name').fill(`Eka ${run}`);
  await page.getByLabel('Role').selectOption('supervisor');
  await page.getByLabel('Password (at least 8 characters)').fill('a-good-password');
  await page.getByRole('button', { name: 'Create agent' }).click();

  await expect(page.getByRole('status')).toHaveText('Agent created.');
  const agents = page.getByRole('region', { name: 'Agents' });
  await expect(agents.getByRole('row', { name: new RegExp(`Eka ${run}`) })).toContainText('supervisor');
  const audit = page.getByRole('region', { name: 'Audit log' });
  await expect(audit).toContainText(`agent_created`);
  await expect(audit).toContainText(`Eka ${run}`);
});

test('the admin page refuses agents who are not admins', async ({ page }) => {
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('budi@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await page.goto('/admin');
  await expect(page.getByRole('alert')).toHaveText('Only admins can manage agents.');
});
