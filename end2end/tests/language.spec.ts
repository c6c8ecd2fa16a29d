import { expect } from '@playwright/test';
import { signIn, test } from './helpers';

// A customer whose browser speaks Indonesian: the page and every notice in Indonesian, the
// agent's dashboard in English, and a switch of language that keeps the conversation.

const run = Date.now().toString(36).slice(-5);
const DEWI = `Dewi ${run}`;

const TAKEOVER_ID =
  'Percakapan Anda kini ditangani oleh Customer Service kami. Saya Ana Putri siap membantu Anda.';
const HANDOVER_EN =
  "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!";

test('an Indonesian browser gets the page and the takeover in Indonesian; switching keeps the chat', async ({ browser }) => {
  const context = await browser.newContext({
    locale: 'id-ID',
    viewport: { width: 375, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const customer = await context.newPage();
  await customer.goto('/chat');
  await expect(customer.getByRole('heading', { name: 'Ada yang bisa kami bantu?' })).toBeVisible();
  await expect(customer.locator('html')).toHaveAttribute('lang', 'id');
  await customer.getByLabel('Nama Anda (opsional)').fill(DEWI);
  await customer.getByRole('button', { name: 'Mulai chat' }).click();
  await expect(customer.getByRole('status').first()).toHaveText('Anda sedang chat dengan asisten AI kami');

  const chat = customer.getByRole('list', { name: 'Pesan' });
  await customer.getByLabel('Pesan Anda').fill('Berapa lama pengiriman ke Surabaya?');
  await customer.getByRole('button', { name: 'Kirim' }).click();
  await expect(chat.locator('.msg-ai')).toHaveCount(1);

  // The agent's dashboard stays English, and says which language the customer reads.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(DEWI) }).click();
  const panel = ana.getByRole('region', { name: 'Conversation' });
  await expect(panel.getByTestId('customer-language')).toHaveText("Customer's language: Bahasa Indonesia");
  await panel.getByRole('button', { name: 'Take Over' }).click();
  await expect(chat).toContainText(TAKEOVER_ID);
  await expect(customer.getByRole('status').first()).toHaveText('Anda sedang chat dengan Ana Putri');
  await expect(panel.getByRole('list', { name: 'Messages' })).toContainText(TAKEOVER_ID);

  // Canned replies come in the customer's language: /sorry gives the Indonesian text.
  await panel.getByLabel('Your reply').fill('/sorry');
  await panel.getByLabel('Your reply').press('Enter');
  await expect(panel.getByLabel('Your reply')).toHaveValue(/^Mohon maaf/);
  await panel.getByLabel('Your reply').fill('');

  // The customer switches to English: the same conversation, now in English, and the next
  // notice in English too.
  await customer.getByLabel('Bahasa').selectOption('en');
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with Ana Putri");
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText(TAKEOVER_ID);
  await expect(customer.getByLabel('Your message')).toBeVisible();
  await expect(panel.getByTestId('customer-language')).toHaveText("Customer's language: English");

  await panel.getByRole('button', { name: 'Handover to AI' }).click();
  await ana.getByRole('dialog', { name: 'Hand this conversation back to the AI?' })
    .getByRole('button', { name: 'Confirm handover' }).click();
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText(HANDOVER_EN);

  // A reload keeps the conversation and its language.
  await customer.reload();
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText(TAKEOVER_ID);
});

test('an agent reads the dashboard in Indonesian while the customer reads English', async ({ browser }) => {
  const customerContext = await browser.newContext({ locale: 'en-US' });
  const customer = await customerContext.newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(`Tom ${run}`);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");

  const budi = await signIn(browser, 'budi@baton.dev');
  await budi.getByLabel('Language').selectOption('id');
  await expect(budi.getByRole('button', { name: 'Keluar' })).toBeVisible();
  await budi.getByRole('button', { name: new RegExp(`Tom ${run}`) }).click();
  const panel = budi.getByRole('region', { name: 'Percakapan' });
  await expect(panel.getByTestId('customer-language')).toHaveText('Bahasa pelanggan: English');
  await panel.getByRole('button', { name: 'Ambil Alih' }).click();
  await expect(panel.getByTestId('conversation-state')).toHaveText('Ditangani oleh Budi Santoso');
  // The customer hears the takeover in their own language.
  await expect(customer.getByRole('list', { name: 'Messages' })).toContainText(
    "Your conversation is now handled by our Customer Service. I'm Budi Santoso ready to assist you.",
  );

  // The choice stays with the agent's browser across a reload.
  await budi.reload();
  await expect(budi.getByRole('button', { name: 'Keluar' })).toBeVisible();
  await budi.getByLabel('Bahasa').selectOption('en');
  await expect(budi.getByRole('button', { name: 'Sign out' })).toBeVisible();
});
