import { expect, type Browser, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// Private notes: an agent writes to a colleague inside a conversation with an @mention; the
// colleague is told at once, and the customer's page never shows the note.

const run = Date.now().toString(36).slice(-5);

async function startChat(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByLabel('Your message').fill('My order 88 never came');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('My order 88 never came');
  return page;
}

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

test('a private note with an @mention tells the colleague and never reaches the customer', async ({ browser }) => {
  const name = `Noted ${run}`;
  const customer = await startChat(browser, name);
  const ana = await signIn(browser, 'ana@baton.dev');
  const budi = await signIn(browser, 'budi@baton.dev');

  await ana.getByRole('button', { name: new RegExp(name) }).click();
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await panel(ana).getByText('Private note', { exact: true }).click();
  await panel(ana).getByLabel('Private note (only agents see it)').fill('@budi VIP customer, courier lost it twice');
  await panel(ana).getByRole('button', { name: 'Add note' }).click();
  const messages = panel(ana).getByRole('list', { name: 'Messages' });
  await expect(messages.locator('.note')).toContainText('Private note from Ana Putri');
  await expect(messages.locator('.note')).toContainText('VIP customer, courier lost it twice');
  await expect(panel(ana).getByLabel('Private note (only agents see it)')).toHaveValue('');

  // Budi, elsewhere on the floor, is told; a click opens the conversation with the note.
  const toast = budi.locator('.toast', { hasText: `Ana Putri mentioned you about ${name}` });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText('VIP customer');
  await toast.getByRole('link').click();
  await expect(panel(budi).locator('.note')).toContainText('courier lost it twice');

  // The customer gets Ana's reply, written after the note, and nothing of the note.
  await panel(ana).getByLabel('Your reply').fill('I am sending a replacement today');
  await panel(ana).getByRole('button', { name: 'Send' }).click();
  const chat = customer.getByRole('list', { name: 'Messages' });
  await expect(chat).toContainText('I am sending a replacement today');
  await expect(chat).not.toContainText('VIP');
  await customer.reload();
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText('I am sending a replacement today');
  await expect(customer.getByRole('list', { name: 'Messages' })).not.toContainText('VIP');
});
