import { expect, request as api, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// Routing as customers and agents live it: the place in line moving up, an owner who closes
// the browser, and the truth when nobody is online.

const run = Date.now().toString(36).slice(-5);
const TAKEOVER = (name: string) =>
  `Your conversation is now handled by our Customer Service. I'm ${name} ready to assist you.`;
const REQUEUED = "Sorry for the wait. We're connecting you with the next available agent.";
const DEMO = ['ana@baton.dev', 'budi@baton.dev', 'citra@baton.dev', 'admin@baton.dev'];

/** An API client signed in as `email`. */
async function agentApi(email: string): Promise<APIRequestContext> {
  const context = await api.newContext({ baseURL: test.info().project.use.baseURL });
  const signedIn = await context.post('/api/agent/login', { data: { email, password: 'baton-demo' } });
  expect(signedIn.ok()).toBeTruthy();
  return context;
}

/** Ana (a supervisor) closes every open conversation, so the queue holds only this spec's. */
async function emptyTheFloor() {
  const ana = await agentApi('ana@baton.dev');
  const me = await (await ana.post('/api/agent/me', { data: {} })).json();
  // Every page first (closing changes the list being walked).
  const open: { id: string; mode: { kind: string; agent?: string } }[] = [];
  let cursor: string | null = null;
  do {
    const page = await (await ana.post('/api/conversations/list', { data: { filter: 'all', cursor, limit: 200 } })).json();
    open.push(...page.conversations);
    cursor = page.next_cursor;
  } while (cursor);
  for (const c of open) {
    const id = c.id;
    if (c.mode.kind === 'human' && c.mode.agent !== me.id) {
      await ana.post('/api/conversations/force_takeover', { data: { conversation_id: id, reason: 'Clearing the floor' } });
    }
    await ana.post('/api/conversations/close', { data: { conversation_id: id } });
  }
  await ana.dispose();
}

async function setEveryone(status: string) {
  for (const email of DEMO) {
    const agent = await agentApi(email);
    await agent.post('/api/agents/availability', { data: { status } });
    await agent.dispose();
  }
}

async function waitingCustomer(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");
  await page.getByRole('button', { name: 'Talk to a person' }).click();
  return page;
}

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

async function takeOver(agent: Page, customer: string) {
  await agent.getByRole('button', { name: new RegExp(customer) }).click();
  await panel(agent).getByRole('button', { name: 'Take Over' }).click();
}

test.describe.configure({ mode: 'serial' });

test('waiting customers see their place in line move up, then the takeover', async ({ browser }) => {
  await setEveryone('online');
  await emptyTheFloor();
  const ana = await signIn(browser, 'ana@baton.dev');
  const first = await waitingCustomer(browser, `First ${run}`);
  const second = await waitingCustomer(browser, `Second ${run}`);

  await expect(first.locator('.queue-line')).toContainText('You are number 1 in line');
  await expect(second.locator('.queue-line')).toContainText('You are number 2 in line');
  await expect(ana.getByRole('status', { name: 'Queue' })).toContainText('2 waiting');

  await takeOver(ana, `First ${run}`);
  await expect(first.getByRole('list', { name: 'Messages' })).toContainText(TAKEOVER('Ana Putri'));
  await expect(second.locator('.queue-line')).toContainText('You are number 1 in line');
  await expect(ana.getByRole('status', { name: 'Queue' })).toContainText('1 waiting');

  // First waits for Ana's answer: the card says so until she replies, and again after the
  // customer writes, even after a reload.
  const firstCard = ana.getByRole('button', { name: new RegExp(`First ${run}`) });
  await expect(firstCard).toContainText('Needs reply');
  await panel(ana).getByLabel('Your reply').fill('Hello, I am on it.');
  await panel(ana).getByRole('button', { name: 'Send' }).click();
  await expect(firstCard).not.toContainText('Needs reply');
  await first.getByLabel('Your message').fill('Thank you!');
  await first.getByRole('button', { name: 'Send' }).click();
  await expect(firstCard).toContainText('Needs reply');
  await expect(firstCard).toContainText('Thank you!');
  await ana.reload();
  await expect(ana.getByRole('button', { name: new RegExp(`First ${run}`) })).toContainText('Needs reply');

  await takeOver(ana, `Second ${run}`);
  await expect(second.getByRole('list', { name: 'Messages' })).toContainText(TAKEOVER('Ana Putri'));
  await expect(second.locator('.queue-line')).toBeHidden();
  await expect(ana.getByRole('status', { name: 'Queue' })).toHaveText('Nobody waiting');
  await ana.context().close();
});

test('an owner who closes the browser loses the conversation to the queue after the grace', async ({ browser }) => {
  test.setTimeout(60_000);
  await emptyTheFloor();
  // A new agent, so no dashboard left open elsewhere keeps them present.
  const admin = await agentApi('admin@baton.dev');
  const email = `fajar-${run}@baton.dev`;
  const created = await admin.post('/api/admin/agents/create', {
    data: { email, display_name: `Fajar ${run}`, role: 'agent', password: 'baton-demo' },
  });
  expect(created.ok()).toBeTruthy();
  await admin.dispose();
  const fajar = await signIn(browser, email);
  await fajar.getByLabel('Your availability').selectOption('online');
  const customer = await waitingCustomer(browser, `Left ${run}`);
  await takeOver(fajar, `Left ${run}`);
  const chat = customer.getByRole('list', { name: 'Messages' });
  await expect(chat).toContainText(TAKEOVER(`Fajar ${run}`));

  // Fajar closes the laptop; after the owner grace the customer is told and waits again.
  await fajar.context().close();
  await expect(chat).toContainText(REQUEUED, { timeout: 30_000 });
  await expect(customer.locator('.queue-line')).toContainText('You are number 1 in line');
  const ana = await signIn(browser, 'ana@baton.dev');
  const row = ana.getByRole('button', { name: new RegExp(`Left ${run}`) });
  await expect(row).toContainText('Requeued: the agent went offline');
  await ana.context().close();
  // Fajar's shift is over.
  const fajarApi = await agentApi(email);
  await fajarApi.post('/api/agents/availability', { data: { status: 'offline' } });
  await fajarApi.dispose();
});

test('with nobody online the customer is told the truth and leaves an e-mail the agent sees', async ({ browser }) => {
  await emptyTheFloor();
  await setEveryone('away');
  try {
    const customer = await waitingCustomer(browser, `Night ${run}`);
    const chat = customer.getByRole('list', { name: 'Messages' });
    await expect(chat).toContainText('Our team is offline right now.');
    await expect(customer.locator('.queue-line')).toHaveText('Our team is offline right now.');
    const form = customer.getByRole('form', { name: 'Leave your e-mail address' });
    await form.getByLabel('Your e-mail address').fill(`night-${run}@example.com`);
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(chat).toContainText(`Thank you. Our team will write to you at night-${run}@example.com.`);
    await expect(form).toBeHidden();

    await setEveryone('online');
    const ana = await signIn(browser, 'ana@baton.dev');
    await ana.getByRole('button', { name: new RegExp(`Night ${run}`) }).click();
    await expect(panel(ana)).toContainText(`E-mail left by the customer: night-${run}@example.com`);
    await expect(panel(ana)).toContainText('The customer left an e-mail address');
    await ana.context().close();
  } finally {
    await setEveryone('online');
  }
});
