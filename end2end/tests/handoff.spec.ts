import { expect, type Browser, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// The product description, step by step, with a customer on a phone and two demo agents.

const TAKEOVER = (name: string) =>
  `Your conversation is now handled by our Customer Service. I'm ${name} ready to assist you.`;
// Names unique to this run, so a rerun against the same database finds only its own rows.
const run = Date.now().toString(36).slice(-5);
const MAYA = `Maya ${run}`;
const RACE = `Race ${run}`;

const HANDOVER =
  "Thank you for contacting us. Your conversation is now back to being handled by AI assistant. If you need help again, don't hesitate to ask!";

async function startChat(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto('/chat');
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");
  return page;
}

async function say(customer: Page, text: string) {
  await customer.getByLabel('Your message').fill(text);
  await customer.getByRole('button', { name: 'Send' }).click();
}

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

test('customer, AI, takeover, transfer with a note, handover, and the AI again', async ({ browser }) => {
  const ana = await signIn(browser, 'ana@baton.dev');
  const budi = await signIn(browser, 'budi@baton.dev');
  const customer = await startChat(browser, MAYA);
  const chat = customer.getByRole('list', { name: 'Messages' });

  // The customer asks; the AI answers from the knowledge base.
  await say(customer, 'How do I reset my password?');
  await expect(chat.locator('.msg-ai')).toHaveCount(1);
  await expect(chat.locator('.msg-ai')).not.toContainText("I'm not sure");

  // The customer asks for a person; the dashboard shows them waiting, with the reason.
  await customer.getByRole('button', { name: 'Talk to a person' }).click();
  await expect(chat).toContainText('A member of our Customer Service team will join this conversation shortly.');
  const row = ana.getByRole('button', { name: new RegExp(MAYA) });
  await expect(row).toContainText('Customer asked for a person');

  // Ana reads the history and takes over; the customer is told, in the product's words.
  await row.click();
  await expect(panel(ana).getByRole('list', { name: 'Messages' })).toContainText('How do I reset my password?');
  await expect(panel(ana).getByLabel('Your reply')).toBeDisabled();
  await panel(ana).getByRole('button', { name: 'Take Over' }).click();
  await expect(chat).toContainText(TAKEOVER('Ana Putri'));
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with Ana Putri");
  await expect(panel(ana).getByLabel('Your reply')).toBeEnabled();

  // They talk.
  await panel(ana).getByLabel('Your reply').fill('Hi Maya, I can help with that.');
  await panel(ana).getByRole('button', { name: 'Send' }).click();
  await expect(chat).toContainText('Hi Maya, I can help with that.');
  await say(customer, 'I also need a refund for order 1042');
  await expect(panel(ana).getByRole('list', { name: 'Messages' })).toContainText('I also need a refund for order 1042');

  // Ana transfers to Budi with a note: Budi is notified and sees it, the customer is told.
  await panel(ana).getByRole('button', { name: 'Transfer' }).click();
  const dialog = ana.getByRole('dialog', { name: 'Transfer to another agent' });
  const budiOption = dialog.locator('option', { hasText: 'Budi Santoso' });
  await expect(budiOption).toContainText('online');
  await dialog.getByLabel('Agent', { exact: true }).selectOption((await budiOption.getAttribute('value'))!);
  await dialog.getByLabel('Note for the agent (optional)').fill('Refund for order 1042, please approve');
  await dialog.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(chat).toContainText('Your conversation has been transferred to Budi Santoso, who will continue to assist you.');
  const toast = budi.getByRole('link', {
    name: `Ana Putri transferred ${MAYA} to you. Note: Refund for order 1042, please approve`,
  });
  await expect(toast).toBeVisible();
  await expect(panel(ana).getByLabel('Your reply')).toBeDisabled();

  // The toast sits over the list, clear of the chat panel and its buttons; clicking it
  // opens the conversation.
  const toastBox = (await budi.locator('.toast', { has: toast }).boundingBox())!;
  const panelBox = (await panel(budi).boundingBox())!;
  expect(toastBox.x + toastBox.width).toBeLessThanOrEqual(panelBox.x);
  await toast.click();
  await expect(toast).toHaveCount(0);
  await expect(panel(budi)).toContainText('Note: Refund for order 1042, please approve');
  await expect(panel(budi).getByTestId('conversation-state')).toHaveText('Handled by Budi Santoso');

  await ana.screenshot({ path: 'screenshots/dashboard-ana.png' });
  await budi.screenshot({ path: 'screenshots/dashboard-budi.png' });

  // Budi hands over to the AI, confirming, with a brief the AI may tell the customer; the
  // customer gets the exact sentence.
  await panel(budi).getByRole('button', { name: 'Handover to AI' }).click();
  const confirm = budi.getByRole('dialog', { name: 'Hand this conversation back to the AI?' });
  const forCustomer = confirm.getByLabel('The AI may tell the customer this');
  await expect(forCustomer).toBeDisabled();
  await confirm.getByLabel('Brief for the AI (optional)').fill('Refund approved for order 1042');
  await forCustomer.check();
  await confirm.getByRole('button', { name: 'Confirm handover' }).click();
  await expect(chat).toContainText(HANDOVER);
  await expect(customer.getByRole('status').first()).toHaveText("You're chatting with our AI assistant");

  // The AI answers again.
  await say(customer, 'How long does delivery to Australia take?');
  await expect(chat.locator('.msg-ai')).toHaveCount(2);
  await expect(chat.locator('.msg-ai').last()).not.toContainText("I'm not sure");
  await customer.screenshot({ path: 'screenshots/chat-phone.png', fullPage: true });

  // Asked about what the brief says, the AI passes it on in Budi's words.
  await expect(panel(budi)).toContainText('Note the AI may tell the customer: Refund approved for order 1042');
  await say(customer, 'Any news about my refund?');
  await expect(chat.locator('.msg-ai')).toHaveCount(3);
  await expect(chat.locator('.msg-ai').last()).toContainText(
    'Our team left this note for you: \u201cRefund approved for order 1042\u201d',
  );
});

test('when two agents click Take Over together, one wins and the other sees who', async ({ browser }) => {
  const ana = await signIn(browser, 'ana@baton.dev');
  const budi = await signIn(browser, 'budi@baton.dev');
  const customer = await startChat(browser, RACE);
  await say(customer, 'Hello?');

  // The AI has answered, so no more events re-render the panels while the race runs.
  await expect(customer.getByRole('list', { name: 'Messages' }).locator('.msg-ai')).toHaveCount(1);
  for (const agent of [ana, budi]) {
    await agent.getByRole('button', { name: new RegExp(RACE) }).click();
    await expect(panel(agent).getByRole('button', { name: 'Take Over' })).toBeEnabled();
    await expect(panel(agent).locator('.msg-ai')).toHaveCount(1);
  }
  // Both buttons are pressed in the same instant: each page finds its button now and clicks
  // it at one moment of the shared clock, 500 ms ahead, so neither click waits on the other
  // page's turn (Playwright's click() would first wait for each button to settle, by which
  // time the winner's takeover has already reached the other dashboard and removed its
  // button; a busy machine can delay one page's evaluate just as long).
  const at = Date.now() + 500;
  await Promise.all(
    [ana, budi].map((agent) =>
      agent.evaluate((at) => {
        const buttons = document.querySelectorAll('section[aria-label="Conversation"] button');
        const takeOver = Array.from(buttons).find((b) => b.textContent?.trim() === 'Take Over');
        if (!takeOver) throw new Error('no Take Over button');
        setTimeout(() => (takeOver as HTMLButtonElement).click(), Math.max(0, at - Date.now()));
      }, at),
    ),
  );

  const chat = customer.getByRole('list', { name: 'Messages' });
  await expect(chat.locator('.msg-system')).toHaveCount(1);
  const notice = await chat.locator('.msg-system').innerText();
  const winner = notice.includes('Ana Putri') ? 'Ana Putri' : 'Budi Santoso';
  const loser = winner === 'Ana Putri' ? budi : ana;
  const winnerPage = winner === 'Ana Putri' ? ana : budi;

  await expect(panel(winnerPage).getByTestId('conversation-state')).toHaveText(`Handled by ${winner}`);
  await expect(panel(loser).getByRole('alert')).toContainText(`${winner} took this over`);
  await expect(panel(loser).getByTestId('conversation-state')).toHaveText(`Handled by ${winner}`);
  await expect(panel(loser).getByLabel('Your reply')).toBeDisabled();
  await expect(panel(loser).getByRole('button', { name: 'Take Over' })).toHaveCount(0);
});
