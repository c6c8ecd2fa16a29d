// Time until a page of Baton is interactive, in headless Chromium.
//
// Usage: node end2end/bench/interactive.mjs <base-url> [rounds] [page] [network]
//   page:    `agent` (default): until the dashboard's sign-in form is rendered by the SPA —
//            by then the WASM is fetched, compiled and running, its handlers are attached,
//            and the session check has answered;
//            `chat`: until the customer can type: the chat page's name field is rendered
//            (by the customer's own bundle).
//   network: `none` (default, loopback as it is) or `slow4g`: Chrome DevTools' "Slow 4G"
//            profile — 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up.
// Each round opens the page in a fresh browser context (empty cache). Prints one JSON
// object: every round's milliseconds since navigation start.
import { chromium } from '@playwright/test';

const base = process.argv[2];
const rounds = Number(process.argv[3] ?? 10);
const which = process.argv[4] ?? 'agent';
const network = process.argv[5] ?? 'none';
const pages = {
  agent: { path: '/agent', ready: 'form.sign-in input#email' },
  chat: { path: '/chat', ready: 'input#display-name' },
};
const page_ = pages[which];
if (!base || !page_ || !['none', 'slow4g'].includes(network)) {
  console.error('usage: interactive.mjs <base-url> [rounds] [agent|chat] [none|slow4g]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const interactive = [];
try {
  for (let round = 0; round < rounds; round++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (network === 'slow4g') {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 562.5,
        downloadThroughput: (1.6 * 1_000_000 * 0.9) / 8,
        uploadThroughput: (750 * 1_000 * 0.9) / 8,
      });
    }
    await page.goto(`${base}${page_.path}`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      (ready) => (document.querySelector(ready) ? performance.now() : null),
      page_.ready,
      { polling: 'raf', timeout: 60_000 },
    );
    interactive.push(await handle.jsonValue());
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ interactive_ms: interactive }));
