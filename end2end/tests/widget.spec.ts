import { expect, type Browser, type Page } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { signIn, test } from './helpers';

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

/** What the shop's backend does for a signed-in customer: an HS256 JWT for ten minutes. */
function identityToken(sub: string, name: string, secret: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, name, email: `${sub}@shop.example`, iat: now, exp: now + 600 };
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  const signature = crypto.createHmac('sha256', secret).update(signed).digest('base64url');
  return `${signed}.${signature}`;
}

/** A shop: two pages with the widget; `/framed` frames the chat page directly; `/account`
 * (`?sub=&name=`, `&forged` to sign with the wrong secret) identifies its signed-in customer. */
function shop(port: number): Promise<http.Server> {
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1>${body}</body></html>`;
  const widget = `<script src="${baton()}/widget.js" data-greeting="Hi from the shop!" async></script>`;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop');
    const secret = url.searchParams.has('forged')
      ? 'a-secret-the-shop-does-not-share-with-baton'
      : (process.env.E2E_IDENTITY_SECRET as string);
    const token = identityToken(url.searchParams.get('sub') ?? '', url.searchParams.get('name') ?? '', secret);
    const identify =
      `<script>function identify() { Baton.identify(${JSON.stringify(token)}); }` +
      `window.Baton ? identify() : addEventListener('baton:ready', identify);</script>`;
    const pages: Record<string, string> = {
      '/': page('Shop home', `<a href="/shoes">Shoes</a>${widget}`),
      '/shoes': page('Shoes', `<a href="/">Home</a>${widget}`),
      '/framed': page('Framed', `<iframe title="framed chat" src="${baton()}/chat/embed"></iframe>`),
      '/account': page('Your account', `${widget}${identify}`),
    };
    const body = pages[url.pathname];
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
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

test('a customer the shop signed in shows as verified and resumes on another device; a forged token does not', async ({ browser, page }) => {
  const shopUrl = `http://127.0.0.1:${allowedPort()}`;
  const sari = `Sari ${run}`;
  const account = `${shopUrl}/account?sub=cust-${run}&name=${encodeURIComponent(sari)}`;
  await page.goto(account);
  await page.getByRole('button', { name: /^Open chat/ }).click();
  const chat = page.frameLocator('iframe[title="Chat with us"]');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByLabel('Your message').fill('Where is my order?');
  await chat.getByRole('button', { name: 'Send' }).click();
  const messages = chat.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('Where is my order?');

  // The agent sees who the shop says the customer is.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(sari) }).click();
  const panel = ana.getByRole('region', { name: 'Conversation' });
  await expect(panel.getByTestId('verified')).toHaveText(
    `✓ Verified by the site · Customer id cust-${run} · cust-${run}@shop.example`,
  );

  // The same customer on another device: the conversation, with its history.
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await other.goto(account);
  await other.getByRole('button', { name: /^Open chat/ }).click();
  const resumed = other.frameLocator('iframe[title="Chat with us"]');
  await expect(resumed.getByRole('list', { name: 'Messages' })).toContainText('Where is my order?');
  await laptop.close();

  // A token signed with another secret: a console error on the shop's page, nothing resumed,
  // and a chat started there is not verified.
  const forger = await browser.newContext();
  const forged = await forger.newPage();
  const errors: string[] = [];
  forged.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await forged.goto(`${account}&forged`);
  await forged.getByRole('button', { name: /^Open chat/ }).click();
  await expect.poll(() => errors.join('\n')).toContain('The identity token was refused');
  const start = forged.frameLocator('iframe[title="Chat with us"]');
  await start.getByLabel('Your name (optional)').fill(`Forger ${run}`);
  await start.getByRole('button', { name: 'Start chat' }).click();
  await expect(start.getByLabel('Your message')).toBeVisible();
  await ana.getByRole('button', { name: new RegExp(`Forger ${run}`) }).click();
  await expect(panel.getByRole('heading', { name: `Forger ${run}` })).toBeVisible();
  await expect(panel.getByTestId('verified')).toHaveCount(0);
  await forger.close();
  await ana.context().close();
});
