import { test, expect, type Browser, type Page } from '@playwright/test';
import * as http from 'node:http';

// The chat widget on a shop's own site: host pages served from other origins (other ports on
// 127.0.0.1). The server runs with --widget-origins naming the first of them only
// (playwright.config.ts).

const run = Date.now().toString(36).slice(-5);
const RINA = `Rina ${run}`;
const TAKEOVER = (name: string) =>
  `Your conversation is now handled by our Customer Service. I'm ${name} ready to assist you.`;

const baton = () => test.info().project.use.baseURL as string;
const allowedPort = () => Number(new URL(baton()).port) + 1;
const otherPort = () => Number(new URL(baton()).port) + 2;

/** A shop: two pages with the widget; `/framed` frames the chat page directly. */
function shop(port: number): Promise<http.Server> {
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1>${body}</body></html>`;
  const widget = `<script src="${baton()}/widget.js" data-greeting="Hi from the shop!" async></script>`;
  const server = http.createServer((request, response) => {
    const pages: Record<string, string> = {
      '/': page('Shop home', `<a href="/shoes">Shoes</a>${widget}`),
      '/shoes': page('Shoes', `<a href="/">Home</a>${widget}`),
      '/framed': page('Framed', `<iframe title="framed chat" src="${baton()}/chat/embed"></iframe>`),
    };
    const body = pages[request.url ?? '/'];
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function signIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}

let allowed: http.Server;
let other: http.Server;

test.beforeAll(async () => {
  allowed = await shop(allowedPort());
  other = await shop(otherPort());
});

test.afterAll(async () => {
  allowed.close();
  other.close();
});

test('a visitor chats in the widget on the shop, across its pages, with an unread badge', async ({ browser, page }) => {
  const shopUrl = `http://127.0.0.1:${allowedPort()}`;
  await page.goto(`${shopUrl}/`);
  const launcher = page.getByRole('button', { name: /^Open chat/ });
  await expect(launcher).toBeVisible();
  // Nothing of the chat app loads before the visitor opens it.
  await expect(page.locator('iframe')).toHaveCount(0);

  await launcher.click();
  const chat = page.frameLocator('iframe[title="Chat with us"]');
  await expect(chat.getByRole('heading', { name: 'Hi from the shop!' })).toBeVisible();
  await chat.getByLabel('Your name (optional)').fill(RINA);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByLabel('Your message').fill('How do I reset my password?');
  await chat.getByRole('button', { name: 'Send' }).click();
  const messages = chat.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('.msg-ai')).toHaveCount(1);

  // A person takes over: the customer reads the product's sentence inside the widget.
  await chat.getByRole('button', { name: 'Talk to a person' }).click();
  const budi = await signIn(browser, 'budi@baton.dev');
  await budi.getByRole('button', { name: new RegExp(RINA) }).click();
  const panel = budi.getByRole('region', { name: 'Conversation' });
  await panel.getByRole('button', { name: 'Take Over' }).click();
  await expect(messages).toContainText(TAKEOVER('Budi Santoso'));

  // Closed, the launcher counts the agent's message.
  await page.getByRole('button', { name: 'Close chat' }).click();
  await expect(page.getByRole('dialog', { name: 'Chat' })).toBeHidden();
  await panel.getByLabel('Your reply').fill('Your parcel left our warehouse today.');
  await panel.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('button', { name: 'Open chat, 1 unread message' })).toBeVisible();

  // Another page of the shop: the same conversation, its history, the badge still there.
  await page.getByRole('link', { name: 'Shoes' }).click();
  await expect(page.getByRole('heading', { name: 'Shoes' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open chat, 1 unread message' })).toBeVisible();
  await page.getByRole('button', { name: /^Open chat/ }).click();
  await expect(messages).toContainText('Your parcel left our warehouse today.');
  await expect(messages).toContainText(TAKEOVER('Budi Santoso'));
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();

  // A reload keeps it open on the same conversation; the reply reaches Budi.
  await page.reload();
  await chat.getByLabel('Your message').fill('Thank you!');
  await chat.getByRole('button', { name: 'Send' }).click();
  await expect(panel.getByRole('list', { name: 'Messages' })).toContainText('Thank you!');
  await budi.context().close();
});

test('a site that is not in --widget-origins gets no launcher and cannot frame the chat', async ({ page }) => {
  const otherUrl = `http://127.0.0.1:${otherPort()}`;
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${otherUrl}/`);
  await expect.poll(() => errors.join('\n')).toContain("is not in");
  await expect(page.getByRole('button', { name: /^Open chat/ })).toHaveCount(0);

  // Framing the page directly: the browser blocks it (frame-ancestors), nothing renders.
  const refused = page.waitForEvent('console', (message) => /frame-ancestors/.test(message.text()));
  await page.goto(`${otherUrl}/framed`);
  await refused;
  const framed = page.frameLocator('iframe[title="framed chat"]');
  await expect(framed.getByRole('button', { name: 'Start chat' })).toHaveCount(0);

  // The embed page names exactly the allowed origin; every other page may not be framed.
  const embed = await page.request.get(`${baton()}/chat/embed`);
  expect(embed.headers()['content-security-policy']).toContain(
    `frame-ancestors http://127.0.0.1:${allowedPort()}`,
  );
  expect(embed.headers()['x-frame-options']).toBeUndefined();
  const hosted = await page.request.get(`${baton()}/chat`);
  expect(hosted.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(hosted.headers()['x-frame-options']).toBe('DENY');
});
