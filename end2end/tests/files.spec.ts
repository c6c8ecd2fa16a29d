import { expect, type Browser, type Page } from '@playwright/test';
import * as path from 'node:path';
import { signIn, test } from './helpers';

// Photos and documents: a customer on a phone sends a photo of a damaged parcel, the agent
// sees the thumbnail and answers with a PDF, and a file that is not what its name says is
// refused with words the customer can read.

const run = Date.now().toString(36).slice(-5);

/** A 2×2 red PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGO4YGAARAwQCgAjzgTBL1P/5wAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function startChat(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");
  return page;
}

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

/** True once the image has loaded real pixels. */
async function drawn(image: ReturnType<Page['locator']>) {
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
}

test('a photo from the phone reaches the agent as a thumbnail, and the agent answers with a PDF', async ({
  browser,
}) => {
  const name = `Photo ${run}`;
  const customer = await startChat(browser, name);
  const chat = customer.getByRole('list', { name: 'Messages' });

  // The words in the box go with the photo as its caption.
  await customer.getByLabel('Your message').fill('The box arrived crushed');
  await customer.locator('input[type=file]').setInputFiles({ name: 'box.png', mimeType: 'image/png', buffer: PNG });
  const mine = chat.getByRole('img', { name: 'box.png' });
  await expect(mine).toBeVisible();
  await drawn(mine);
  await expect(chat).toContainText('The box arrived crushed');
  await expect(customer.getByLabel('Your message')).toHaveValue('');
  // The AI cannot look at photos: a person is on the way.
  await expect(customer.getByRole('status').first()).toHaveText('Our AI assistant is with you while a person is on the way');

  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(name) }).click();
  const thumbnail = panel(ana).getByRole('img', { name: 'box.png' });
  await expect(thumbnail).toBeVisible();
  await drawn(thumbnail);
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await expect(panel(ana).getByLabel('Your reply')).toBeEnabled();
  await panel(ana).locator('input[type=file]').setInputFiles({
    name: 'return label.pdf',
    mimeType: 'application/pdf',
    buffer: PDF,
  });
  await expect(panel(ana).getByRole('link', { name: /return label\.pdf/ })).toBeVisible();
  // The dashboard at work, for README.
  await ana.screenshot({ path: path.join(__dirname, '..', 'screenshots', 'dashboard-desktop.png') });

  // The customer downloads it.
  const link = chat.getByRole('link', { name: /return label\.pdf/ });
  await expect(link).toBeVisible();
  const [download] = await Promise.all([customer.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('return label.pdf');
});

test('a program renamed .jpg and an SVG are refused in words, and nothing is sent', async ({ browser }) => {
  const customer = await startChat(browser, `Refused ${run}`);
  const chat = customer.getByRole('list', { name: 'Messages' });
  const refused = 'Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent';

  await customer.locator('input[type=file]').setInputFiles({
    name: 'holiday.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode'),
  });
  await expect(customer.getByRole('alert')).toHaveText(refused);
  await customer.locator('input[type=file]').setInputFiles({
    name: 'logo.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
  });
  await expect(customer.getByRole('alert')).toHaveText(refused);
  await expect(chat.getByRole('img')).toHaveCount(0);
  await expect(chat.locator('.msg-own')).toHaveCount(0);
});
