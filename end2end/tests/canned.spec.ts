import { expect, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// Canned replies managed in the product: a supervisor writes, changes and retires one on
// /replies; an agent gets each version with the keyboard alone, the names filled in; agents
// cannot reach the page.

const run = Date.now().toString(36).slice(-5);

function panel(agent: Page) {
  return agent.getByRole('region', { name: 'Conversation' });
}

test('a reply a supervisor writes reaches agents with the names filled in, changes, and retires', async ({
  browser,
  request,
}) => {
  const customer = `Rina ${run}`;
  const started = await request.post('/api/chat/start', { data: { display_name: customer } });
  const { conversation_id, token } = await started.json();
  await request.post('/api/chat/send', {
    data: { conversation_id, token, client_id: `c-${run}`, body: 'My parcel is late' },
  });
  const shortcut = `/late${run}`;

  // The supervisor writes one on /replies, reached from the dashboard's top bar.
  const ana = await signIn(browser, 'ana@baton.dev');
  await ana.getByRole('link', { name: 'Canned replies' }).click();
  await expect(ana).toHaveURL(/\/replies$/);
  await expect(ana.getByRole('row', { name: /\/sorry/ }).first()).toBeVisible();
  const form = ana.getByRole('form', { name: 'New canned reply' });
  await form.getByLabel('Title').fill('Late parcel');
  await form.getByLabel('Shortcut').fill(shortcut);
  await form.getByLabel('Text').fill('Hi {customer_name}, I am {agent_name}: your parcel is on its way.');
  await form.getByRole('button', { name: 'Add reply' }).click();
  await expect(ana.getByRole('status')).toHaveText(`Added ${shortcut}.`);
  await expect(ana.getByRole('row', { name: new RegExp(shortcut) })).toContainText('Late parcel');

  // A placeholder Baton cannot fill is refused in words, and nothing is added.
  await form.getByLabel('Title').fill('Order');
  await form.getByLabel('Shortcut').fill(`/order${run}`);
  await form.getByLabel('Text').fill('Your order {order_id} left today');
  await form.getByRole('button', { name: 'Add reply' }).click();
  await expect(ana.getByRole('alert')).toContainText('{order_id}');
  await expect(ana.getByRole('row', { name: new RegExp(`/order${run}`) })).toHaveCount(0);

  // An agent, keyboard only: the shortcut and Enter put the filled-in text in the box.
  const budi = await signIn(browser, 'budi@baton.dev');
  await expect(budi.getByRole('link', { name: 'Canned replies' })).toHaveCount(0);
  await budi.getByRole('button', { name: new RegExp(customer) }).click();
  await panel(budi).getByRole('button', { name: 'Take Over' }).click();
  const reply = panel(budi).getByLabel('Your reply');
  await expect(reply).toBeEnabled();
  await reply.fill(shortcut);
  await expect(panel(budi).getByRole('listbox', { name: 'Canned replies' }).getByRole('option')).toHaveCount(1);
  await reply.press('Enter');
  await expect(reply).toHaveValue(`Hi ${customer}, I am Budi Santoso: your parcel is on its way.`);

  // The supervisor changes the words; the agent's next "/" offers the new ones.
  await ana.getByRole('button', { name: `Edit ${shortcut} (en)` }).click();
  const edit = ana.getByRole('form', { name: `Change ${shortcut}` });
  await edit.getByLabel('Text').fill('{customer_name}, your parcel arrives tomorrow.');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(ana.getByRole('status')).toHaveText(`Saved ${shortcut}.`);
  await reply.fill(shortcut);
  // The list shows what Tab inserts: the new words once the refresh that opening it started
  // has arrived.
  await expect(
    panel(budi).getByRole('listbox', { name: 'Canned replies' }).getByRole('option'),
  ).toContainText('your parcel arrives tomorrow');
  await reply.press('Tab');
  await expect(reply).toHaveValue(`${customer}, your parcel arrives tomorrow.`);

  // Retired: the agent is no longer offered it.
  await ana.getByRole('button', { name: `Retire ${shortcut} (en)` }).click();
  await expect(ana.getByRole('status')).toHaveText(`Retired ${shortcut}: agents are no longer offered it.`);
  await expect(ana.getByRole('row', { name: new RegExp(shortcut) })).toHaveCount(0);
  await reply.fill('');
  await reply.fill(shortcut);
  await expect(panel(budi).getByRole('listbox', { name: 'Canned replies' })).toHaveCount(0);

  // Closed, so it does not wait in anyone's list for the specs after this one.
  await reply.fill('');
  await panel(budi).getByRole('button', { name: 'Close' }).click();
  await expect(panel(budi).getByTestId('conversation-state')).toHaveText('Closed');

  // An agent who opens the page is told it is not theirs.
  await budi.goto('/replies');
  await expect(budi.getByRole('alert')).toHaveText('Only supervisors and admins can manage canned replies.');
  await ana.context().close();
  await budi.context().close();
});
