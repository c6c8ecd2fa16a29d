// What the chat widget costs a shop's page, in headless Chromium.
//
// Usage: node end2end/bench/widget-load.mjs <baton-base-url> <shop-port> [rounds]
// Baton must run with --widget-origins http://127.0.0.1:<shop-port>. The script serves a shop
// page on that port, once without and once with the widget's script tag, and loads each
// `rounds` times in a fresh browser context (empty cache), alternating; a third page adds the
// tag only after its load event (the loader README shows for pages that count every ms).
// Prints one JSON object: the page's load event (ms since navigation start) without the widget,
// with the tag and with the deferred loader, when the launcher appeared, and the bytes the page
// fetched from Baton before anyone opened it.
import { chromium } from '@playwright/test';
import * as http from 'node:http';

const [base, shopPort, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 10);
if (!base || !shopPort) {
  console.error('usage: widget-load.mjs <baton-base-url> <shop-port> [rounds]');
  process.exit(2);
}

const article = '<p>' + 'A pair of everyday shoes, made to last. '.repeat(40) + '</p>';
const tags = {
  without: '',
  with: `<script src="${base}/widget.js" async></script>`,
  deferred:
    `<script>addEventListener('load', function () { var s = document.createElement('script');` +
    ` s.src = '${base}/widget.js'; document.body.appendChild(s); });</script>`,
};
const page = (variant) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>` +
  `<body><h1>Shoes</h1>${article}${tags[variant] ?? ''}</body></html>`;
const shop = http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(page(request.url.slice(1)));
});
await new Promise((resolve) => shop.listen(Number(shopPort), '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const result = { without_ms: [], with_ms: [], deferred_ms: [], launcher_ms: [], baton_bytes: [] };
const loadEnd = () => performance.getEntriesByType('navigation')[0].loadEventEnd;
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of ['without', 'with', 'deferred']) {
      const widget = variant !== 'without';
      const context = await browser.newContext();
      const tab = await context.newPage();
      let bytes = 0;
      tab.on('requestfinished', async (request) => {
        if (request.url().startsWith(base)) {
          const sizes = await request.sizes().catch(() => null);
          if (sizes) bytes += sizes.responseBodySize + sizes.responseHeadersSize;
        }
      });
      await tab.goto(`http://127.0.0.1:${shopPort}/${variant}`, { waitUntil: 'load' });
      await tab.waitForFunction(() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0);
      const load = await tab.evaluate(loadEnd);
      if (variant === 'deferred') {
        result.deferred_ms.push(Math.round(load));
      } else if (widget) {
        const shown = await tab.waitForFunction(
          () => (document.querySelector('[data-baton-widget]') ? performance.now() : null),
          null,
          { polling: 'raf', timeout: 30_000 },
        );
        result.launcher_ms.push(Math.round(await shown.jsonValue()));
        await tab.waitForTimeout(200);
        result.baton_bytes.push(bytes);
        result.with_ms.push(Math.round(load));
      } else {
        result.without_ms.push(Math.round(load));
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  shop.close();
}
console.log(JSON.stringify(result));
