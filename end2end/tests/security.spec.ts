import { expect } from '@playwright/test';
import { test } from './helpers';

// Hostile input is only ever text.

test('an XSS payload in a message is shown as text and runs no script', async ({ browser }) => {
  const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
  const run = Date.now().toString(36).slice(-5);

  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(`<b>Mallory ${run}</b>`);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByLabel('Your message').fill(payload);
  await customer.getByRole('button', { name: 'Send' }).click();
  const chat = customer.getByRole('list', { name: 'Messages' });
  await expect(chat).toContainText(payload);

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await agent.goto('/agent');
  await agent.getByLabel('E-mail').fill('citra@baton.dev');
  await agent.getByLabel('Password').fill('baton-demo');
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByRole('button', { name: new RegExp(`Mallory ${run}`) }).click();
  const log = agent.getByRole('region', { name: 'Conversation' }).getByRole('list', { name: 'Messages' });
  await expect(log).toContainText(payload);

  for (const page of [customer, agent]) {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await expect(page.locator('.log script')).toHaveCount(0);
  }
  await customerContext.close();
  await agentContext.close();
});
