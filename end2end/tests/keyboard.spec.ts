import { expect } from '@playwright/test';
import { signIn, test } from './helpers';

// An agent who works from the keyboard: the shortcuts take over, reply, hand over and
// transfer without the mouse, never fire while typing, and `?` lists them.

const run = Date.now().toString(36).slice(-5);
const KEYS = `Keys ${run}`;
const TAKEOVER = "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.";
const HANDOVER =
  "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!";

test('a keyboard-only walk takes over, replies, hands over and transfers', async ({ browser }) => {
  const customerPage = await (await browser.newContext()).newPage();
  await customerPage.goto('/chat');
  await customerPage.getByLabel('Your name (optional)').fill(KEYS);
  await customerPage.getByRole('button', { name: 'Start chat' }).click();
  const chat = customerPage.getByRole('list', { name: 'Messages' });
  await expect(customerPage.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");

  const ana = await signIn(browser, 'ana@baton.dev');
  // Budi is online to receive the transfer at the end.
  await signIn(browser, 'budi@baton.dev');
  const panel = ana.getByRole('region', { name: 'Conversation' });
  // Narrow the list to this customer, then leave the field: keys typed there stay text.
  const search = ana.getByRole('searchbox');
  await search.focus();
  await ana.keyboard.type(KEYS);
  await expect(ana.getByRole('button', { name: new RegExp(KEYS) })).toHaveCount(1);
  // Only this customer is listed now (other specs leave customers waiting at the top).
  await expect(ana.locator('ul.conversations > li')).toHaveCount(1);
  await ana.keyboard.press('t');
  await expect(search).toHaveValue(`${KEYS}t`);
  await ana.keyboard.press('Backspace');
  await ana.keyboard.press('Tab');

  // `?` lists the shortcuts; Escape closes the list.
  await ana.keyboard.press('?');
  const help = ana.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Take over the open conversation');
  await ana.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // j opens the (only) conversation, t takes it over, r puts the cursor in the reply box.
  await ana.keyboard.press('j');
  await expect(panel.getByRole('heading', { name: KEYS })).toBeVisible();
  await ana.keyboard.press('t');
  await expect(chat).toContainText(TAKEOVER);
  await ana.keyboard.press('r');
  await expect(panel.getByLabel('Your reply')).toBeFocused();
  await ana.keyboard.type('Hello from the keyboard');
  await ana.keyboard.press('Enter');
  await expect(chat).toContainText('Hello from the keyboard');

  // h asks to hand over; Enter on the confirm button sends it.
  await ana.keyboard.press('Tab');
  await ana.keyboard.press('h');
  const handover = ana.getByRole('dialog', { name: 'Hand this conversation back to the AI?' });
  await expect(handover).toBeVisible();
  await handover.getByRole('button', { name: 'Confirm handover' }).press('Enter');
  await expect(chat).toContainText(HANDOVER);
  // The dashboard shows the conversation back with the AI (the customer may read the sentence
  // a moment before the agent's own screen settles): only then does `t` apply again.
  await expect(panel.getByTestId('conversation-state')).toHaveText('AI Mode');
  await expect(panel.getByRole('button', { name: 'Take Over' })).toBeEnabled();

  // t again, then x transfers to Budi with the keyboard.
  await ana.keyboard.press('t');
  await expect(panel.getByTestId('conversation-state')).toHaveText('Handled by Ana Putri');
  await ana.keyboard.press('x');
  const transfer = ana.getByRole('dialog', { name: 'Transfer to another agent' });
  await expect(transfer).toBeVisible();
  const agent = transfer.getByLabel('Agent', { exact: true });
  const budi = transfer.locator('option', { hasText: 'Budi Santoso' });
  await agent.focus();
  await agent.selectOption((await budi.getAttribute('value'))!);
  await transfer.getByRole('button', { name: 'Confirm transfer' }).press('Enter');
  await expect(chat).toContainText('Your conversation has been transferred to Budi Santoso, who will continue to assist you.');
});
