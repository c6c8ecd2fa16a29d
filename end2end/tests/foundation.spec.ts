import { expect } from '@playwright/test';
import { test } from './helpers';

// The SPA rendered (WASM ran) and server functions answered, on both pages.

test('the agent page shows sign-in, and a demo agent reaches the dashboard', async ({ page }) => {
  await page.goto('/agent');
  await expect(page.getByRole('heading', { name: 'Sign in to Baton' })).toBeVisible();

  await page.getByLabel('E-mail').fill('citra@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByText('Citra Dewi')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Filter conversations' })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Conversations' })).not.toContainText('Loading');
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('citra@baton.dev');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong e-mail or password');
});

test('a customer starts a chat and the AI answers from the knowledge base', async ({ page }) => {
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill('Sari');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('status')).toHaveText("You're chatting with our AI assistant");

  await page.getByLabel('Your message').fill('How long does delivery take?');
  await page.getByRole('button', { name: 'Send' }).click();

  // The AI lets the customer finish before it answers; meanwhile it shows as typing.
  await expect(page.getByText('AI assistant is typing…')).toBeVisible();
  const messages = page.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('How long does delivery take?');
  await expect(messages.locator('.msg-ai')).toHaveCount(1);
  await expect(messages.locator('.msg-ai')).not.toContainText("I'm not sure");
  await expect(page.getByText('AI assistant is typing…')).toBeHidden();
});

test('the AI waits while the customer types their next line, then answers the question', async ({ page }) => {
  await page.goto('/chat');
  await page.getByRole('button', { name: 'Start chat' }).click();
  const box = page.getByLabel('Your message');
  await box.fill('hi, I ordered a jacket last week');
  await page.getByRole('button', { name: 'Send' }).click();
  const messages = page.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('I ordered a jacket last week');

  // Typing the next line (longer than the AI's one-second wait) keeps the AI from answering
  // the first line on its own; it shows as typing meanwhile.
  await box.pressSequentially('how long does shipping to Surabaya take?', { delay: 60 });
  await expect(page.getByText('AI assistant is typing…')).toBeVisible();
  await expect(messages.locator('.msg-ai')).toHaveCount(0);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(messages.locator('.msg-ai')).toHaveCount(1);
  await expect(messages.locator('.msg-ai')).not.toContainText("I'm not sure");
  await expect(page.getByText('AI assistant is typing…')).toBeHidden();
});

test('every message says when it was sent, in the viewer’s time zone, exactly on hover', async ({ browser }) => {
  // A customer in Jakarta (UTC+7): the tooltip reads the local time, not the server's.
  const context = await browser.newContext({ timezoneId: 'Asia/Jakarta', locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto('/chat');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByLabel('Your message').fill('Do you ship to Surabaya?');
  await page.getByRole('button', { name: 'Send' }).click();

  const own = page.getByRole('list', { name: 'Messages' }).locator('.msg-own').first();
  const time = own.locator('time');
  await expect(time).toHaveText('just now');
  const sent = new Date((await time.getAttribute('datetime')) ?? '');
  expect(Math.abs(Date.now() - sent.getTime())).toBeLessThan(60_000);
  const jakarta = sent.toLocaleTimeString('en-GB', {
    timeZone: 'Asia/Jakarta',
    hour: '2-digit',
    minute: '2-digit',
  });
  await expect(time).toHaveAttribute('title', new RegExp(jakarta));
  await context.close();
});
