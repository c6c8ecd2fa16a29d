import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

// `cargo xtask test` sets these: a free port, the server binary and a fresh database.
const port = Number(process.env.E2E_PORT ?? 4173);
const root = path.resolve(__dirname, '..');
const server = process.env.BATON_SERVER ?? path.join(root, 'target', 'debug', 'baton');
const database = process.env.E2E_DATABASE_URL ?? `sqlite://${path.join(__dirname, '.data', 'e2e.db')}`;
// The widget spec's shop signs its customers' identity tokens with this (the specs read it).
process.env.E2E_IDENTITY_SECRET ??= 'the-e2e-shop-signs-customers-with-this-secret';

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['line']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `"${server}"`,
    url: `http://127.0.0.1:${port}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      BATON_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: database,
      BATON_DIST: path.join(root, 'dist'),
      BATON_KB_DIR: path.join(root, 'kb'),
      BATON_SEED_DEMO: 'true',
      // The search spec starts 60 conversations from this one address within seconds.
      BATON_LIMIT_START_PER_ADDRESS: '0',
      // Short, so the spec of an owner who closes the browser waits seconds, not minutes.
      BATON_OWNER_GRACE_SECS: '5',
      // The webhook spec's receiver listens on 127.0.0.1.
      BATON_WEBHOOK_ALLOW_PRIVATE: 'true',
      // The widget spec's shop pages: the next port may show the widget; the one after, not.
      BATON_WIDGET_ORIGINS: `http://127.0.0.1:${port + 1}`,
      BATON_IDENTITY_SECRET: process.env.E2E_IDENTITY_SECRET,
      RUST_LOG: 'warn',
    },
  },
});
