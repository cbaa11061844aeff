import { defineConfig } from '@playwright/test';

// scripts/test starts a fresh server and passes its address; run by hand against `scripts/dev`
// with BASE_URL=http://127.0.0.1:3000 npx playwright test.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    permissions: ['camera', 'microphone'],
    launchOptions: {
      // Debian's Chromium: Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        // Three fake cameras (the first is the default), so the in-call device menu can switch:
        // fake_device_1 is a Y16 (depth) device whose frames never reach the other side through
        // replaceTrack; fake_device_2 (MJPEG) does (tried 2026-11-30, Chromium 156).
        '--use-fake-device-for-media-stream=device-count=3',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
