// Time until the agent dashboard is interactive, in headless Chromium.
//
// Usage: node end2end/bench/interactive.mjs <base-url> [rounds]
// Each round opens /agent in a fresh browser context (empty cache) and waits until the
// sign-in form is rendered by the SPA: by then the WASM is fetched, compiled and running,
// its event handlers are attached, and the session check has answered. Prints one JSON
// object: every round's milliseconds since navigation start.
import { chromium } from '@playwright/test';

const base = process.argv[2];
const rounds = Number(process.argv[3] ?? 10);
if (!base) {
  console.error('usage: interactive.mjs <base-url> [rounds]');
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
    await page.goto(`${base}/agent`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      () => (document.querySelector('form.sign-in input#email') ? performance.now() : null),
      null,
      { polling: 'raf', timeout: 30_000 },
    );
    interactive.push(await handle.jsonValue());
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ interactive_ms: interactive }));
