import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { signIn, test } from './helpers';

// The list's search box asks the server (names and message text) once the agent pauses,
// and "Load more" pages on to older conversations. Other specs share the server, so every
// name and word here carries this run's tag.

const run = Date.now().toString(36);

async function customer(request: APIRequestContext, name: string) {
  const started = await request.post('/api/chat/start', { data: { display_name: name } });
  expect(started.ok(), await started.text()).toBeTruthy();
  return (await started.json()) as { conversation_id: string; token: string };
}

function searchBox(page: Page) {
  return page.getByRole('searchbox', { name: 'Search names and messages' });
}

/** Types `text` into the search box and waits for the list the server sends for it. */
async function search(page: Page, text: string) {
  const answered = page.waitForResponse(
    (reply) =>
      reply.url().endsWith('/api/conversations/list') && (reply.request().postDataJSON()?.query ?? '') === text,
  );
  await searchBox(page).fill(text);
  await answered;
}

function list(page: Page) {
  return page.getByRole('complementary', { name: 'Conversations' });
}

test('an agent finds a conversation by a word from one of its messages', async ({ browser, request }) => {
  const word = `kulkas${run}`;
  const wulan = await customer(request, `Wulan ${run}`);
  for (const [n, body] of ['Hello', 'I ordered a fridge', `The ${word} came dented`].entries()) {
    const sent = await request.post('/api/chat/send', { data: { ...wulan, client_id: `m${n}`, body } });
    expect(sent.ok()).toBeTruthy();
  }
  await customer(request, `Other ${run}`);

  const ana = await signIn(browser, 'ana@baton.dev');
  await search(ana, `${word.toUpperCase()} dent`);
  await expect(list(ana).getByRole('listitem')).toHaveCount(1);
  await expect(list(ana).getByRole('button', { name: new RegExp(`Wulan ${run}`) })).toBeVisible();

  // Opening it shows the message the word came from.
  await list(ana).getByRole('button', { name: new RegExp(`Wulan ${run}`) }).click();
  await expect(ana.getByRole('list', { name: 'Messages' }).getByText(`The ${word} came dented`, { exact: true })).toBeVisible();

  // A word nobody wrote finds nothing, and says so.
  await search(ana, `nobody${run}wrote`);
  await expect(list(ana).getByText('No conversation matches this search.')).toBeVisible();
});

test('"Load more" pages on to older conversations', async ({ browser, request }) => {
  // 60 conversations, the oldest first; a page holds 50.
  const tag = `Page${run}`;
  for (let n = 1; n <= 60; n++) {
    await customer(request, `${tag} ${String(n).padStart(2, '0')}`);
  }

  const ana = await signIn(browser, 'ana@baton.dev');
  await search(ana, tag);
  const rows = list(ana).getByRole('listitem');
  await expect(rows).toHaveCount(50);
  await expect(list(ana).getByText(`${tag} 60`)).toBeVisible();
  await expect(list(ana).getByText(`${tag} 01`)).toHaveCount(0);

  await list(ana).getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(60);
  await expect(list(ana).getByText(`${tag} 01`)).toBeVisible();
  await expect(list(ana).getByRole('button', { name: 'Load more' })).toHaveCount(0);

  // Clearing the search lists every open conversation again, a page at a time.
  await search(ana, '');
  await expect(rows).toHaveCount(50);
  await expect(list(ana).getByRole('button', { name: 'Load more' })).toBeVisible();
});
