import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// The agent's chat panel while switching between conversations: nothing breaks, nothing
// written is lost, and canned replies are picked with the keyboard.

const run = Date.now().toString(36).slice(-5);

/** A customer starts a conversation through the API and writes once. */
async function customerWrites(request: APIRequestContext, name: string, body: string) {
  const started = await request.post('/api/chat/start', { data: { display_name: name } });
  expect(started.ok()).toBeTruthy();
  const { conversation_id, token } = await started.json();
  const sent = await request.post('/api/chat/send', {
    data: { conversation_id, token, client_id: `first-${Date.now()}`, body },
  });
  expect(sent.ok()).toBeTruthy();
  return { conversation_id, token };
}

/** Every error the page reports from now on (a panic in the app is one). */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

async function open(agent: Page, customer: string) {
  await agent.getByRole('button', { name: new RegExp(customer) }).click();
  await expect(panel(agent).getByRole('heading', { name: customer })).toBeVisible();
  await expect(panel(agent).getByRole('list', { name: 'Messages' })).toContainText('started the conversation');
}

test('switching between conversations fifty times reports no error in the browser', async ({ browser, request }) => {
  const first = `Switch A ${run}`;
  const second = `Switch B ${run}`;
  await customerWrites(request, first, 'My parcel is late');
  await customerWrites(request, second, 'Where is my refund?');
  const citra = await signIn(browser, 'citra@baton.dev');
  const errors = errorsOf(citra);

  // Fifty switches, as an agent makes in a busy hour.
  for (let switches = 0; switches < 50; switches++) {
    await open(citra, switches % 2 === 0 ? first : second);
  }
  await expect(panel(citra).getByRole('list', { name: 'Messages' })).toContainText('Where is my refund?');
  expect(errors).toEqual([]);
});

test('a half-written reply is still there after switching away and back', async ({ browser, request }) => {
  const first = `Draft A ${run}`;
  const second = `Draft B ${run}`;
  await customerWrites(request, first, 'Hello?');
  await customerWrites(request, second, 'Anyone there?');
  const budi = await signIn(browser, 'budi@baton.dev');

  await open(budi, first);
  await panel(budi).getByRole('button', { name: 'Take Over' }).click();
  const reply = panel(budi).getByLabel('Your reply');
  await expect(reply).toBeEnabled();
  await reply.fill('Let me check your order and');

  await open(budi, second);
  await expect(reply).toHaveValue('');
  await open(budi, first);
  await expect(reply).toHaveValue('Let me check your order and');
});

test('canned replies are picked with the arrow keys and Enter inserts instead of sending', async ({
  browser,
  request,
}) => {
  const customer = `Canned ${run}`;
  const { conversation_id, token } = await customerWrites(request, customer, 'It arrived broken');
  const ana = await signIn(browser, 'ana@baton.dev');
  await open(ana, customer);
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  const reply = panel(ana).getByLabel('Your reply');
  await expect(reply).toBeEnabled();

  // The typed shortcut and Enter: the text goes into the box, nothing is sent.
  await reply.fill('/sorry');
  await expect(panel(ana).getByRole('listbox', { name: 'Canned replies' })).toBeVisible();
  await reply.press('Enter');
  await expect(reply).toHaveValue('I\'m sorry for the trouble. Let me sort this out for you right away.');

  // "/" lists them all; the arrow keys move the highlight, Enter takes the highlighted one.
  await reply.fill('/');
  const options = panel(ana).getByRole('listbox', { name: 'Canned replies' }).getByRole('option');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await reply.press('ArrowDown');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await reply.press('Enter');
  await expect(reply).toHaveValue('Could you share your order number so I can look it up?');

  // A refresh that fails (the network drops as the list opens) keeps the list on show, and
  // Enter still inserts: the shortcut is never sent to the customer.
  await ana.route('**/api/canned/list', (route) => route.abort());
  const failed = ana.waitForEvent('requestfailed', (r) => r.url().includes('/api/canned/list'));
  await reply.fill('/sorry');
  await failed;
  await expect(panel(ana).getByRole('listbox', { name: 'Canned replies' })).toBeVisible();
  await reply.press('Enter');
  await expect(reply).toHaveValue('I\'m sorry for the trouble. Let me sort this out for you right away.');
  await ana.unroute('**/api/canned/list');
  await reply.fill('/');
  await reply.press('ArrowDown');
  await reply.press('Enter');
  await expect(reply).toHaveValue('Could you share your order number so I can look it up?');

  // Enter now sends the inserted text, and the box empties.
  await reply.press('Enter');
  await expect(reply).toHaveValue('');
  const log = panel(ana).getByRole('list', { name: 'Messages' });
  await expect(log).toContainText('Could you share your order number so I can look it up?');
  const history = await request.post('/api/chat/history', { data: { conversation_id, token, after_seq: 0 } });
  const bodies = JSON.stringify(await history.json());
  expect(bodies).not.toContain('/sorry');
  expect(bodies).not.toContain('Let me sort this out');
});

test('a customer writing in my conversation while another is open counts in the tab title', async ({
  browser,
  request,
}) => {
  const mine = `Title A ${run}`;
  const other = `Title B ${run}`;
  const { conversation_id, token } = await customerWrites(request, mine, 'Hello?');
  await customerWrites(request, other, 'Just browsing');
  const budi = await signIn(browser, 'budi@baton.dev');
  await open(budi, mine);
  await panel(budi).getByRole('button', { name: 'Take Over' }).click();
  await expect(panel(budi).getByLabel('Your reply')).toBeEnabled();
  await open(budi, other);
  await expect(budi).toHaveTitle('Baton');

  for (const n of [1, 2]) {
    const sent = await request.post('/api/chat/send', {
      data: { conversation_id, token, client_id: `title-${run}-${n}`, body: `Are you there? (${n})` },
    });
    expect(sent.ok()).toBeTruthy();
  }
  await expect(budi).toHaveTitle('(2) Baton');
  await open(budi, mine);
  await expect(budi).toHaveTitle('Baton');
});

test('a closed conversation is reopened and taken over in one step, and the customer is told in words', async ({
  browser,
  request,
}) => {
  const name = `Reopen ${run}`;
  const { conversation_id, token } = await customerWrites(request, name, 'My parcel arrived broken');
  const ana = await signIn(browser, 'ana@baton.dev');
  await open(ana, name);
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await expect(panel(ana).getByTestId('conversation-state')).toHaveText('Handled by Ana Putri');
  await panel(ana).getByRole('button', { name: 'Close' }).click();

  await panel(ana).getByRole('button', { name: 'Reopen and take over' }).click();
  await expect(panel(ana).getByTestId('conversation-state')).toHaveText('Handled by Ana Putri');
  await expect(panel(ana).getByLabel('Your reply')).toBeEnabled();

  const history = await request.post('/api/chat/history', { data: { conversation_id, token } });
  const told = ((await history.json()).events as any[])
    .filter((e) => e.type === 'message' && e.message.author.kind === 'system')
    .map((e) => e.message.body);
  expect(told.slice(-2)).toEqual([
    'This conversation has been reopened. Our AI assistant is here to help, and you can ask for a person at any time.',
    "Your conversation is now handled by our Customer Service. I'm Ana Putri ready to assist you.",
  ]);
  await ana.context().close();
});

test('a filter that does not list the open conversation closes it in the panel', async ({ browser, request }) => {
  const name = `Filtered ${run}`;
  await customerWrites(request, name, 'Is the blue jacket back in stock?');
  const ana = await signIn(browser, 'ana@baton.dev');
  await open(ana, name);

  const filters = ana.getByRole('group', { name: 'Filter conversations' });
  await filters.getByRole('button', { name: /^AI/ }).click();
  await expect(panel(ana).getByRole('heading', { name })).toBeVisible();
  await filters.getByRole('button', { name: /^Closed/ }).click();
  await expect(ana.getByRole('button', { name: new RegExp(name) })).toHaveCount(0);
  await expect(panel(ana)).toContainText('Select a conversation from the list to read it.');
  await ana.context().close();
});

test('on a phone the dashboard shows one pane at a time, with a way back to the list', async ({ browser, request }) => {
  const name = `Phone ${run}`;
  await customerWrites(request, name, 'Can I change my delivery address?');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const agent = await context.newPage();
  await agent.goto('/agent');
  await agent.getByLabel('E-mail').fill('budi@baton.dev');
  await agent.getByLabel('Password').fill('baton-demo');
  await agent.getByRole('button', { name: 'Sign in' }).click();

  const list = agent.getByRole('complementary', { name: 'Conversations' });
  await expect(list).toBeVisible();
  await expect(panel(agent)).toBeHidden();
  // Every control of the top bar fits: nothing pushes the page sideways.
  expect(await agent.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await list.getByRole('button', { name: new RegExp(name) }).click();
  await expect(list).toBeHidden();
  await expect(panel(agent).getByRole('heading', { name })).toBeVisible();
  // The messages get the height: the top bar and the header are short, the log fills the rest.
  const log = (await panel(agent).getByRole('list', { name: 'Messages' }).boundingBox())!;
  expect(log.height).toBeGreaterThan(844 * 0.4);
  await panel(agent).getByRole('button', { name: 'Back to the conversations' }).click();
  await expect(list).toBeVisible();
  await expect(panel(agent)).toBeHidden();
  await context.close();
});

test('a 1440×900 screen shows at least twelve conversations at once, each with its count on the filter chips', async ({
  browser,
  request,
}) => {
  // Questions the AI answers, so nobody is left waiting in the queue for the specs after this.
  const started: string[] = [];
  for (let at = 0; at < 12; at++) {
    const { conversation_id } = await customerWrites(
      request,
      `Compact ${at} ${run}`,
      'How long does delivery take within Indonesia?',
    );
    started.push(conversation_id);
  }
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const agent = await context.newPage();
  await agent.goto('/agent');
  await agent.getByLabel('E-mail').fill('citra@baton.dev');
  await agent.getByLabel('Password').fill('baton-demo');
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await expect(agent.getByRole('button', { name: new RegExp(`Compact 0 ${run}`) })).toBeVisible();

  // However many customers wait above them (their cards carry the reason on a line of its
  // own), twelve ordinary cards fit between the filters and the bottom of the screen.
  const fitting = await agent.locator('.conversation:not(.waiting)').evaluateAll((cards) => {
    const list = document.querySelector('.conversations')!;
    const room = window.innerHeight - list.getBoundingClientRect().top;
    const step = Math.max(...cards.map((card) => card.parentElement!.getBoundingClientRect().height)) + 2;
    return Math.floor(room / step);
  });
  expect(fitting).toBeGreaterThanOrEqual(12);
  // Each chip but Closed says how many conversations it holds.
  const filters = agent.getByRole('group', { name: 'Filter conversations' });
  await expect(filters.getByRole('button', { name: /^All \d+$/ })).toBeVisible();
  await expect(filters.getByRole('button', { name: /^Mine \d+$/ })).toBeVisible();
  await expect(filters.getByRole('button', { name: 'Closed', exact: true })).toBeVisible();
  // Closed again, so the specs after this one find the floor as they left it.
  for (const conversation_id of started) {
    const closed = await agent.request.post('/api/conversations/close', { data: { conversation_id } });
    expect(closed.ok()).toBeTruthy();
  }
  await context.close();
});
