import { expect, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// The customer as a person: a customer who comes back in the same browser is a returning
// customer in the agent's panel, with the earlier conversation readable in place.

const run = Date.now().toString(36).slice(-5);
const RINA = `Rina ${run}`;
const PHONE =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

async function say(customer: Page, text: string) {
  await customer.getByLabel('Your message').fill(text);
  await customer.getByRole('button', { name: 'Send' }).click();
}

test('a customer back in the same browser shows as returning, with the earlier conversation to read', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 375, height: 740 },
    isMobile: true,
    hasTouch: true,
    userAgent: PHONE,
  });
  const customer = await context.newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(RINA);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await say(customer, `My blender ${run} arrived cracked`);
  await customer.getByRole('button', { name: 'Talk to a person' }).click();

  // The first time: a new customer, on a phone's browser.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(RINA) }).click();
  const card = panel(ana).getByTestId('contact');
  await expect(card.locator('summary')).toHaveText('Customer · first conversation');
  await card.locator('summary').click();
  await expect(card).toContainText('Chrome on Android');
  await expect(card).toContainText('No earlier conversations.');
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await panel(ana).getByRole('button', { name: 'Close' }).click();
  await expect(panel(ana).getByTestId('conversation-state')).toHaveText('Closed');

  // The customer starts again in the same browser, the last conversation still there to read.
  await customer.getByRole('button', { name: 'Start a new conversation' }).click();
  const before = customer.locator('details.earlier-chat');
  await expect(before.locator('summary')).toHaveText('Your earlier conversation');
  await expect(before).toContainText(`My blender ${run} arrived cracked`);
  await customer.getByLabel('Your name (optional)').fill(RINA);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await say(customer, 'Do you ship to Surabaya?');
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText('Do you ship to Surabaya?');
  await expect(before).not.toHaveAttribute('open');
  await customer.getByRole('button', { name: 'Talk to a person' }).click();

  await ana.getByRole('button', { name: new RegExp(RINA) }).click();
  await expect(card.locator('summary')).toHaveText('Customer · returning, 1 earlier');
  await card.locator('summary').click();
  const earlier = card.getByRole('listitem');
  await expect(earlier).toHaveCount(1);
  await expect(earlier).toContainText('closed');
  await earlier.getByRole('button').click();
  const transcript = ana.getByRole('dialog', { name: /^Conversation of / });
  await expect(transcript).toContainText(`My blender ${run} arrived cracked`);
  await transcript.getByRole('button', { name: 'Back to this conversation' }).click();
  await expect(transcript).toHaveCount(0);
  await expect(panel(ana).getByRole('list', { name: 'Messages' })).toContainText('Do you ship to Surabaya?');

  // Closed, so it does not wait in the queue for the specs after this one.
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await panel(ana).getByRole('button', { name: 'Close', exact: true }).click();
  await expect(panel(ana).getByTestId('conversation-state')).toHaveText('Closed');
  await ana.context().close();
  await context.close();
});
