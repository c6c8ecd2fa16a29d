import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, test } from './helpers';

// WCAG 2.1 AA on every page (axe-core), in the light and the dark theme, whether the theme
// comes from the system or from the page's own switch; the dialogs and the switch with the
// keyboard alone. `/chat/embed` is the `/chat` page in a frame, so `/chat` stands for both.

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// Names unique to this run, so a rerun against the same database finds only its own rows.
const run = Date.now().toString(36).slice(-5);

type Scheme = 'light' | 'dark';
interface Theme {
  name: string;
  /** The system's preference (`prefers-color-scheme`). */
  system: Scheme;
  /** The theme chosen with the page's switch, over the system's (`data-theme` on <html>). */
  chosen?: Scheme;
}

const THEMES: Theme[] = [
  { name: 'light', system: 'light' },
  { name: 'dark', system: 'dark' },
  { name: 'dark chosen on a light system', system: 'light', chosen: 'dark' },
  { name: 'light chosen on a dark system', system: 'dark', chosen: 'light' },
];

/** Audits `page` as it is in every theme: fails (softly, so one run lists every page) on any
 * serious or critical violation, naming each rule and element; milder ones are printed. */
async function audit(page: Page, what: string) {
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme.system });
    // What the switch sets (its own spec below checks it does, and that a reload keeps it).
    await page.evaluate((chosen) => {
      if (chosen) document.documentElement.dataset.theme = chosen;
      else delete document.documentElement.dataset.theme;
    }, theme.chosen);
    // Legacy mode runs axe in the page itself (no helper page per run): several times faster,
    // and Baton's own pages have no frames it would miss.
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG).setLegacyMode().analyze();
    const describe = (found: typeof violations) =>
      found
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.help}\n` +
            v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n'),
        )
        .join('\n');
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const milder = violations.filter((v) => !blocking.includes(v));
    const where = `${what}, ${theme.name} theme`;
    if (milder.length > 0) console.log(`${where}, milder violations:\n${describe(milder)}`);
    expect.soft(blocking.map((v) => v.id), `${where}:\n${describe(blocking)}`).toEqual([]);
  }
}

test("the customer's pages pass WCAG 2.1 AA in every theme", async ({ browser }) => {
  // The start form, then a conversation the AI has answered.
  const customer = await (await browser.newContext()).newPage();
  await customer.goto('/chat');
  await expect(customer.getByRole('heading', { name: 'How can we help?' })).toBeVisible();
  await audit(customer, '/chat start form');
  await customer.getByLabel('Your name (optional)').fill(`Axe ${run}`);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByLabel('Your message').fill('How do I reset my password?');
  await customer.getByRole('button', { name: 'Send' }).click();
  await expect(customer.getByRole('list', { name: 'Messages' }).locator('.msg-ai')).toHaveCount(1);
  await audit(customer, '/chat conversation');
  await customer.context().close();
});

test("the agents' pages pass WCAG 2.1 AA in every theme", async ({ browser }) => {
  // Twenty audits (five pages, four themes), each a full axe run: on two cores shared with
  // the fuzzers, more than the default 30 s.
  test.setTimeout(120_000);
  const customer = await (await browser.newContext()).newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(`Axe agents ${run}`);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByLabel('Your message').fill('How do I reset my password?');
  await customer.getByRole('button', { name: 'Send' }).click();
  // The AI has answered before the customer leaves (leaving at once could cancel the send).
  await expect(customer.getByRole('list', { name: 'Messages' }).locator('.msg-ai')).toHaveCount(1);

  // The sign-in form, in the customer's browser (nobody signed in there).
  await customer.goto('/agent');
  await expect(customer.getByLabel('Password')).toBeVisible();
  await audit(customer, '/agent sign-in form');
  await customer.context().close();

  // A supervisor's dashboard with the conversation open, then with a dialog open.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(`Axe agents ${run}`) }).click();
  const panel = ana.getByRole('region', { name: 'Conversation' });
  await expect(panel.getByRole('list', { name: 'Messages' }).locator('.msg-ai')).toHaveCount(1);
  await audit(ana, '/agent dashboard');
  await panel.getByRole('button', { name: 'Take Over' }).click();
  await panel.getByRole('button', { name: 'Transfer' }).click();
  const transfer = ana.getByRole('dialog', { name: 'Transfer to another agent' });
  await expect(transfer.getByRole('option', { name: /Budi Santoso/ })).toBeAttached();
  await audit(ana, '/agent transfer dialog');
  await transfer.getByRole('button', { name: 'Cancel' }).click();
  // Closed, so it does not wait in the queue for the specs after this one.
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel.getByTestId('conversation-state')).toHaveText('Closed');

  await ana.goto('/analytics');
  await expect(ana.getByRole('figure').first()).toBeVisible();
  await audit(ana, '/analytics');
  await ana.goto('/replies');
  await expect(ana.getByRole('cell', { name: 'Apology' }).first()).toBeVisible();
  await audit(ana, '/replies');
  await ana.goto('/labels');
  await expect(ana.getByRole('rowheader', { name: 'Delivery' })).toBeVisible();
  await audit(ana, '/labels');
  await ana.context().close();

  const admin = await signIn(browser, 'admin@baton.dev');
  await admin.goto('/admin');
  await expect(admin.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await audit(admin, '/admin');
  await admin.context().close();
});

test('the dialogs keep the keyboard inside, close on Escape and give the focus back', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(`Dialogs ${run}`);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByLabel('Your message')).toBeVisible();

  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('button', { name: new RegExp(`Dialogs ${run}`) }).click();
  const panel = ana.getByRole('region', { name: 'Conversation' });
  await panel.getByRole('button', { name: 'Take Over' }).click();

  const availability = ana.getByLabel('Your availability');
  const dialogs: [Locator, string, RegExp][] = [
    [panel.getByRole('button', { name: 'Transfer' }), 'Enter', /Transfer to another agent/],
    [panel.getByRole('button', { name: 'Handover to AI' }), 'Enter', /Hand this conversation back to the AI/],
    // Stepping away from an open conversation asks first (Online → Away).
    [availability, 'ArrowDown', /Going away: you have 1 open conversation/],
  ];
  for (const [opener, key, title] of dialogs) {
    await opener.focus();
    await ana.keyboard.press(key);
    const dialog = ana.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    // Modal: the page behind is inert, and the focus starts inside.
    expect(await dialog.evaluate((element) => element.matches(':modal'))).toBe(true);
    await expect(dialog.locator(':focus')).toHaveCount(1);
    // Round and round: Tab and Shift+Tab never leave it.
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await ana.keyboard.press(key);
      await expect(dialog.locator(':focus'), `after ${key} in "${title}"`).toHaveCount(1);
    }
    await ana.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
  }
  // Escape cancelled each: nothing was sent, Ana is still online.
  await expect(panel.getByTestId('conversation-state')).toHaveText('Handled by Ana Putri');
  await expect(availability).toHaveValue('online');
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel.getByTestId('conversation-state')).toHaveText('Closed');
  await ana.context().close();
  await customer.context().close();
});

test('the theme switch wins over the system setting, at once and after a reload', async ({ browser }) => {
  const page = await (await browser.newContext({ colorScheme: 'light' })).newPage();
  const html = page.locator('html');
  const theme = page.getByLabel('Theme');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.goto('/chat');
  await expect(theme).toHaveValue('system');
  await expect(html).not.toHaveAttribute('data-theme');
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  expect(dark).not.toBe(light);

  // Dark on a light system, and still after a reload.
  await page.emulateMedia({ colorScheme: 'light' });
  await theme.selectOption('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe(dark);
  await page.reload();
  await expect(theme).toHaveValue('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe(dark);

  // Light on a dark system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await theme.selectOption('light');
  await expect(html).toHaveAttribute('data-theme', 'light');
  expect(await background()).toBe(light);

  // System again: the device decides, also after a reload.
  await theme.selectOption('system');
  await expect(html).not.toHaveAttribute('data-theme');
  expect(await background()).toBe(dark);
  await page.reload();
  await expect(theme).toHaveValue('system');
  expect(await background()).toBe(dark);

  // In the page's language, and the same choice on the agent's pages in this browser.
  await page.getByLabel('Language').selectOption('id');
  await page.getByLabel('Tema').selectOption({ label: 'Gelap' });
  await page.getByLabel('Bahasa').selectOption('en');
  await page.goto('/agent');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.getByLabel('E-mail').fill('budi@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner').getByTestId('theme')).toHaveValue('dark');
  await page.context().close();
});
