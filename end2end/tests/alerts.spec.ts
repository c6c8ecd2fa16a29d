import { expect, type Browser, type Page } from '@playwright/test';
import { test } from './helpers';

// A busy agent hears a chime for a waiting customer and, once they allowed it from a click,
// gets a system notification while the tab is hidden; each kind can be muted.

const run = Date.now().toString(36).slice(-5);

/** The browser's sound and notifications, observed: chimes played, permission requests,
 *  notifications shown; `window.__hidden` stands for a hidden tab. */
function observe() {
  const w = window as any;
  w.__chimes = 0;
  w.__asked = 0;
  w.__notes = [];
  w.__hidden = false;
  const Audio = w.AudioContext;
  w.AudioContext = class extends Audio {
    constructor(...args: any[]) {
      super(...args);
      w.__chimes += 1;
    }
  };
  let permission = 'default';
  w.Notification = class {
    static get permission() {
      return permission;
    }
    static requestPermission() {
      w.__asked += 1;
      permission = 'granted';
      return Promise.resolve('granted');
    }
    constructor(_title: string, options: { body?: string }) {
      w.__notes.push(options?.body ?? '');
    }
  };
  Object.defineProperty(document, 'hidden', { get: () => w.__hidden === true });
}

async function agent(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(observe);
  const page = await context.newPage();
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('citra@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}

async function customerWaits(browser: Browser, name: string) {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.getByRole('button', { name: 'Talk to a person' }).click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('will join this conversation shortly');
}

const count = (page: Page, what: string) => page.evaluate((w) => (window as any)[w], what);

test('a waiting customer chimes, notifies a hidden tab once allowed from a click, and can be muted', async ({ browser }) => {
  const citra = await agent(browser);

  await customerWaits(browser, `Wait one ${run}`);
  await expect(citra.locator('.toast', { hasText: `Wait one ${run}` })).toBeVisible();
  await expect.poll(() => count(citra, '__chimes')).toBe(1);
  // Nobody clicked anything: the browser was not asked, nothing was shown outside the page.
  expect(await count(citra, '__asked')).toBe(0);
  expect(await count(citra, '__notes')).toEqual([]);

  // Ticking system notifications is the click that asks.
  await citra.getByRole('button', { name: 'Notifications' }).click();
  await citra.getByLabel('System notifications while this tab is hidden').check();
  await expect(citra.getByText('System notifications are allowed in this browser.')).toBeVisible();
  expect(await count(citra, '__asked')).toBe(1);

  // The tab is hidden: the next waiting customer raises a system notification too.
  await citra.evaluate(() => ((window as any).__hidden = true));
  await customerWaits(browser, `Wait two ${run}`);
  await expect.poll(() => count(citra, '__chimes')).toBe(2);
  await expect.poll(() => count(citra, '__notes')).toEqual([
    `Wait two ${run} is waiting for a human: Customer asked for a person`,
  ]);

  // Muted: a third waiting customer is a toast only, and the choice survives a reload.
  await citra.getByLabel('A customer waiting for a person').uncheck();
  await customerWaits(browser, `Wait three ${run}`);
  await expect(citra.locator('.toast', { hasText: `Wait three ${run}` })).toBeVisible();
  expect(await count(citra, '__chimes')).toBe(2);
  expect((await count(citra, '__notes')).length).toBe(1);
  await citra.reload();
  await citra.getByRole('button', { name: 'Notifications' }).click();
  await expect(citra.getByLabel('A customer waiting for a person')).not.toBeChecked();
  await expect(citra.getByLabel('Play a sound')).toBeChecked();
});
