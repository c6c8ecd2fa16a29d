import { expect, type APIRequestContext, type Page } from '@playwright/test';
import * as path from 'node:path';
import { signIn, test } from './helpers';

// /analytics after a scripted stretch of a shift: an AI-only conversation, an escalation
// taken over and handed back, one transferred, one left waiting and closed. Other specs share
// the server, so the tiles are checked against the figures read before the script.

const run = Date.now().toString(36).slice(-5);

async function customer(request: APIRequestContext, name: string) {
  const started = await request.post('/api/chat/start', { data: { display_name: `${name} ${run}` } });
  expect(started.ok()).toBeTruthy();
  return (await started.json()) as { conversation_id: string; token: string };
}

async function call(page: Page, path: string, data: object) {
  const reply = await page.request.post(path, { data });
  expect(reply.ok(), `${path}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

/** The totals of the last seven local days, as the page asks for them. */
async function totals(page: Page) {
  return page.evaluate(async () => {
    const day = 86_400_000;
    const offset = -new Date().getTimezoneOffset();
    const today = Math.floor((Date.now() + offset * 60_000) / day);
    const body = {
      from: (today - 6) * day - offset * 60_000,
      to: (today + 1) * day - offset * 60_000,
      utc_offset_minutes: offset,
    };
    const reply = await fetch('/api/analytics/report', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await reply.json()).report.totals;
  });
}

test('a supervisor reads the shift on /analytics: tiles, charts with their tables', async ({ browser, request }) => {
  const ana = await signIn(browser, 'ana@baton.dev');
  const budi = await signIn(browser, 'budi@baton.dev');
  const before = await totals(ana);

  // The AI alone.
  const alone = await customer(request, 'Alone');
  await request.post('/api/chat/send', {
    data: { ...alone, client_id: `a-${run}`, body: 'How do I reset my password?' },
  });
  // Asked for a person; Budi takes over, answers, hands back.
  const helped = await customer(request, 'Helped');
  await request.post('/api/chat/request_human', { data: helped });
  await call(budi, '/api/conversations/takeover', { conversation_id: helped.conversation_id });
  await call(budi, '/api/conversations/send', {
    conversation_id: helped.conversation_id,
    client_id: `b-${run}`,
    body: 'Hi, Budi here.',
  });
  await call(budi, '/api/conversations/handover', { conversation_id: helped.conversation_id });
  // Budi takes one over and closes it; the customer rates it on the chat page.
  const rated = await customer(request, 'Rated');
  await call(budi, '/api/conversations/takeover', { conversation_id: rated.conversation_id });
  await call(budi, '/api/conversations/close', { conversation_id: rated.conversation_id });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const chat = await phone.newPage();
  await chat.addInitScript((kept) => localStorage.setItem('baton.chat', kept), `${rated.conversation_id}:${rated.token}`);
  await chat.goto('/chat');
  const form = chat.getByRole('form', { name: 'How did we do?' });
  await form.getByRole('radio', { name: '4: Good' }).check();
  await form.getByLabel('Anything to add? (optional)').fill('Quick and kind.');
  await form.getByRole('button', { name: 'Send rating' }).click();
  await expect(chat.getByText('Thank you for your rating.')).toBeVisible();
  await chat.reload();
  await expect(chat.getByText('This conversation is closed')).toBeVisible();
  await expect(chat.getByRole('form', { name: 'How did we do?' })).toHaveCount(0);
  await phone.close();

  // Asked for a person, nobody came, closed.
  const left = await customer(request, 'Left');
  await request.post('/api/chat/request_human', { data: left });
  await call(ana, '/api/conversations/close', { conversation_id: left.conversation_id });

  await ana.goto('/analytics');
  await expect(ana.getByRole('figure', { name: 'Conversations per day, by who resolved them' })).toBeVisible();
  await expect(ana.getByTestId('Conversations')).toHaveText(String(before.started + 4));
  const containment = ana.getByRole('group', { name: 'AI containment' });
  await expect(containment).toContainText(`${before.ai_only + 1} of ${before.started + 4} without a person`);
  const ratings = before.csat.distribution.reduce((a: number, b: number) => a + b, 0);
  await expect(ana.getByRole('group', { name: 'CSAT' })).toContainText(`${ratings + 1} rating`);
  const abandoned = ana.getByRole('group', { name: 'Waiting abandoned' });
  await expect(abandoned).toContainText(`${before.abandoned + 1} of ${before.waits + 2} waits`);
  const toHuman = ana.getByRole('group', { name: 'Time to human (median)' });
  await expect(toHuman).toContainText(`${before.time_to_human.count + 1} served`);

  // Every chart has drawn marks, and a table behind it.
  const charts = ana.locator('figure.chart');
  await expect(charts).toHaveCount(6);
  for (const chart of await charts.all()) {
    await expect(chart.locator('svg .mark').first()).toBeAttached();
    await expect(chart.locator('table tbody tr').first()).toBeAttached();
  }
  const reasons = charts.nth(2);
  await reasons.getByText('Table').click();
  await expect(reasons.getByRole('row', { name: /Asked for a person/ })).toBeVisible();
  const download = ana.waitForEvent('download');
  await reasons.getByRole('link', { name: 'Download CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toBe('baton-why-customers-waited-for-a-person.csv');
  const text = await (await csv.createReadStream()).toArray();
  expect(Buffer.concat(text).toString()).toMatch(/^Reason,Waits\r\nAsked for a person,\d+\r\n/);

  // The conversations of the range as CSV, one line each, from the link beside the range.
  const exported = ana.waitForEvent('download');
  await ana.getByRole('link', { name: 'Download conversations (CSV)' }).click();
  const file = await exported;
  expect(file.suggestedFilename()).toMatch(/^baton-conversations-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  const lines = Buffer.concat(await (await file.createReadStream()).toArray())
    .toString()
    .split('\r\n');
  expect(lines[0]).toBe(
    'conversation_id,customer,started_at,closed_at,handled_by,time_to_human_s,first_human_reply_s,transfers,csat,csat_comment',
  );
  const line = (id: string) => lines.find((l) => l.startsWith(`${id},`));
  const time = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
  expect(line(alone.conversation_id)).toMatch(new RegExp(`,Alone ${run},${time},,AI only,,,0,,$`));
  expect(line(helped.conversation_id)).toMatch(new RegExp(`,Helped ${run},${time},,Budi Santoso,\\d+,\\d+,0,,$`));
  // Taken over without a wait and closed without a word: no times, but the rating.
  expect(line(rated.conversation_id)).toMatch(
    new RegExp(`,Rated ${run},${time},${time},Budi Santoso,,,0,4,Quick and kind\\.$`),
  );

  // The same page at desktop and phone width, for README.
  const shots = path.join(__dirname, '..', 'screenshots');
  await ana.setViewportSize({ width: 1280, height: 900 });
  await ana.screenshot({ path: path.join(shots, 'analytics-desktop.png'), fullPage: true });
  await ana.setViewportSize({ width: 390, height: 844 });
  await expect(charts.first()).toBeVisible();
  await ana.screenshot({ path: path.join(shots, 'analytics-phone.png'), fullPage: true });

  // An agent is told the page is not theirs.
  await budi.goto('/analytics');
  await expect(budi.getByRole('alert')).toHaveText('Only supervisors and admins can see analytics.');
  await ana.context().close();
  await budi.context().close();
});
