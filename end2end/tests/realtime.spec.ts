import { expect } from '@playwright/test';
import { test } from './helpers';

// A customer page and an agent dashboard in two browser contexts: everything crosses live,
// nobody reloads.

test('messages and the takeover cross between customer and agent without reload', async ({ browser }) => {
  const agentContext = await browser.newContext();
  const customerContext = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const agent = await agentContext.newPage();
  const customer = await customerContext.newPage();

  await agent.goto('/agent');
  await agent.getByLabel('E-mail').fill('budi@baton.dev');
  await agent.getByLabel('Password').fill('baton-demo');
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await expect(agent.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The customer arrives after the dashboard is open: the list updates by itself.
  await customer.goto('/chat');
  const name = `Rina ${Date.now().toString(36).slice(-5)}`;
  await customer.getByLabel('Your name (optional)').fill(name);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByLabel('Your message').fill('Hello from my phone');
  await customer.getByRole('button', { name: 'Send' }).click();

  const row = agent.getByRole('button', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await row.click();
  const panel = agent.getByRole('region', { name: 'Conversation' });
  await expect(panel.getByRole('list', { name: 'Messages' })).toContainText('Hello from my phone');

  await panel.getByRole('button', { name: 'Take Over' }).click();
  const customerLog = customer.getByRole('list', { name: 'Messages' });
  await expect(customerLog).toContainText(
    "Your conversation is now handled by our Customer Service. I'm Budi Santoso ready to assist you.",
  );
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with Budi Santoso");

  await panel.getByLabel('Your reply').fill('Hi Rina, how can I help?');
  await panel.getByRole('button', { name: 'Send' }).click();
  await expect(customerLog).toContainText('Hi Rina, how can I help?');

  await customer.getByLabel('Your message').fill('My order is late');
  await customer.getByRole('button', { name: 'Send' }).click();
  await expect(panel.getByRole('list', { name: 'Messages' })).toContainText('My order is late');

  await agentContext.close();
  await customerContext.close();
});
