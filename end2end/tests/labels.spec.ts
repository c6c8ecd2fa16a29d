import { expect, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// Labels and priority: a supervisor adds a label on /labels; an agent marks a conversation
// urgent and puts the label on it from the chat panel, the card shows both, and the list
// narrows to the label and to the priority; the customer's page never shows either.

const run = Date.now().toString(36).slice(-5);

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

test('a supervisor adds a label, an agent triages with it and the list narrows to it', async ({
  browser,
}) => {
  const label = `Damaged ${run}`;
  const customerName = `Wulan ${run}`;
  const customer = await (await browser.newContext()).newPage();
  await customer.goto('/chat');
  await customer.getByLabel('Your name (optional)').fill(customerName);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await customer.getByLabel('Your message').fill('The vase arrived broken');
  await customer.getByLabel('Your message').press('Enter');
  const other = `Yoga ${run}`;
  const second = await (await browser.newContext()).newPage();
  await second.goto('/chat');
  await second.getByLabel('Your name (optional)').fill(other);
  await second.getByRole('button', { name: 'Start chat' }).click();
  await expect(second.getByLabel('Your message')).toBeVisible();

  // The supervisor adds the label on /labels, reached from the top bar.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('link', { name: 'Labels' }).click();
  await expect(ana).toHaveURL(/\/labels$/);
  const form = ana.getByRole('form', { name: 'New label' });
  await form.getByLabel('Name').fill(label);
  await form.getByLabel('Colour').selectOption('red');
  await form.getByRole('button', { name: 'Add label' }).click();
  await expect(ana.getByRole('status')).toHaveText(`Added ${label}.`);
  await expect(ana.getByRole('row', { name: new RegExp(label) })).toContainText('Red');
  // A name taken already is refused in words.
  await form.getByLabel('Name').fill(label.toUpperCase());
  await form.getByRole('button', { name: 'Add label' }).click();
  await expect(ana.getByRole('alert')).toContainText('already exists');

  // An agent (no link to /labels) marks the conversation urgent and puts the label on it.
  const budi = await signIn(browser, 'budi@baton.dev');
  await expect(budi.getByRole('link', { name: 'Labels' })).toHaveCount(0);
  const card = budi.getByRole('button', { name: new RegExp(customerName) });
  await card.click();
  await panel(budi).getByLabel('Priority').selectOption('urgent');
  await panel(budi).getByText('Labels…').click();
  await panel(budi).getByRole('checkbox', { name: label }).check();
  await expect(panel(budi).getByRole('checkbox', { name: label })).toBeChecked();
  // Escape closes the menu and gives the focus back to its button.
  await panel(budi).getByRole('checkbox', { name: label }).press('Escape');
  await expect(panel(budi).getByRole('checkbox', { name: label })).toBeHidden();
  await expect(panel(budi).getByText('Labels…')).toBeFocused();
  await expect(card.locator('.label-chip')).toHaveText(label);
  await expect(card.locator('.priority')).toHaveText('Urgent');
  // The log says who did it.
  const log = panel(budi).getByRole('list', { name: 'Messages' });
  await expect(log).toContainText(`Budi Santoso labelled it ${label}`);
  await expect(log).toContainText('Budi Santoso set the priority to Urgent');
  // The supervisor's dashboard shows the card the same way, live.
  await ana.goto('/agent');
  const anaCard = ana.getByRole('button', { name: new RegExp(customerName) });
  await expect(anaCard.locator('.label-chip')).toHaveText(label);

  // The list narrows to the label, then to the priority; the other customer is not in it.
  const list = budi.getByRole('complementary', { name: 'Conversations' });
  await budi.getByTestId('label-filter').selectOption({ label });
  await expect(list.getByRole('button', { name: new RegExp(customerName) })).toBeVisible();
  await expect(list.locator('.conversation')).toHaveCount(1);
  await budi.getByTestId('label-filter').selectOption({ label: 'Every label' });
  await expect(list.getByRole('button', { name: new RegExp(other) })).toBeVisible();
  await budi.getByTestId('priority-filter').selectOption('urgent');
  await expect(list.getByRole('button', { name: new RegExp(other) })).toHaveCount(0);
  await expect(list.getByRole('button', { name: new RegExp(customerName) })).toBeVisible();
  await budi.getByTestId('priority-filter').selectOption('');

  // Taken off again from the same menu; a click elsewhere closes it.
  await panel(budi).getByText('Labels…').click();
  await panel(budi).getByRole('checkbox', { name: label }).uncheck();
  await panel(budi).getByRole('heading', { name: customerName }).click();
  await expect(panel(budi).getByRole('checkbox', { name: label })).toBeHidden();
  await expect(card.locator('.label-chip')).toHaveCount(0);
  await expect(log).toContainText(`Budi Santoso took off the label ${label}`);

  // The customer's page shows none of it.
  await expect(customer.getByText('The vase arrived broken')).toBeVisible();
  await expect(customer.locator('body')).not.toContainText(label);
  await expect(customer.locator('body')).not.toContainText('Urgent');

  // Removed from the list by the supervisor.
  await ana.goto('/labels');
  await ana.getByRole('button', { name: `Remove ${label}` }).click();
  await expect(ana.getByRole('status')).toContainText(`Removed ${label}`);
  await expect(ana.getByRole('row', { name: new RegExp(label) })).toHaveCount(0);

  // Closed, so they do not wait in anyone's list for the specs after this one.
  for (const name of [customerName, other]) {
    await budi.getByRole('button', { name: new RegExp(name) }).click();
    await panel(budi).getByRole('button', { name: 'Take Over' }).click();
    await panel(budi).getByRole('button', { name: 'Close' }).click();
    await expect(panel(budi).getByTestId('conversation-state')).toHaveText('Closed');
  }
});
