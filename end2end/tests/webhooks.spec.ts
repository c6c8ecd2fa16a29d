import { expect } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from './helpers';

type Received = { headers: IncomingMessage['headers']; body: string };

/** A webhook receiver on 127.0.0.1 that records every request and answers 200. */
async function receiver(): Promise<{ url: string; got: Received[]; close: () => void }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, got, close: () => server.close() };
}

function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
  const expected = 'v1,' + createHmac('sha256', key).update(signed).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(expected);
}

test('an admin adds a webhook endpoint, copies its secret once and sees the delivery arrive', async ({
  page,
  request,
}) => {
  const hooks = await receiver();
  await page.goto('/agent');
  await page.getByLabel('E-mail').fill('admin@baton.dev');
  await page.getByLabel('Password').fill('baton-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Admin' }).click();

  const panel = page.getByRole('region', { name: 'Webhooks' });
  await panel.getByLabel('URL').fill(hooks.url);
  await panel.getByLabel('conversation.started').check();
  await panel.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(panel.getByRole('status')).toContainText('Copy its signing secret now');
  const secret = await panel.getByLabel('Signing secret').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await expect(panel.getByRole('row', { name: new RegExp(hooks.url) })).toContainText(
    'conversation.started',
  );

  const started = await request.post('/api/chat/start', { data: { display_name: 'Sari' } });
  expect(started.ok()).toBeTruthy();
  await expect.poll(() => hooks.got.length, { timeout: 10_000 }).toBe(1);
  expect(verifies(secret, hooks.got[0])).toBe(true);
  expect(JSON.parse(hooks.got[0].body).type).toBe('conversation.started');

  await panel.getByRole('row', { name: new RegExp(hooks.url) }).getByRole('button', { name: 'Deliveries' }).click();
  const delivery = panel.getByRole('row', { name: /conversation\.started/ }).last();
  await expect(delivery).toContainText('delivered');
  await delivery.getByRole('button', { name: 'Send again' }).click();
  await expect.poll(() => hooks.got.length, { timeout: 10_000 }).toBe(2);
  expect(hooks.got[1].headers['webhook-id']).toBe(hooks.got[0].headers['webhook-id']);

  // Removing asks once more in the row; "Keep" keeps it.
  const row = panel.getByRole('row', { name: new RegExp(hooks.url) });
  await row.getByRole('button', { name: 'Remove' }).click();
  await row.getByRole('button', { name: 'Keep' }).click();
  await expect(row.getByRole('button', { name: 'Remove' })).toBeVisible();
  await row.getByRole('button', { name: 'Remove' }).click();
  await row.getByRole('button', { name: 'Remove for good' }).click();
  await expect(panel.getByRole('row', { name: new RegExp(hooks.url) })).toHaveCount(0);
  hooks.close();
});
