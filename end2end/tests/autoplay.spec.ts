import { chromium } from '@playwright/test';
import { test, expect, snap } from './fixtures';
import { api, registerViaApi } from './app-helpers';

// A ringtone the browser's autoplay policy holds back. The policy lets sound play once the page
// had a user gesture, and to the browser every Playwright evaluation is one: so are the trace's
// snapshots (hence no trace here) and any locator check. This page therefore sees no check at
// all until the call rings: its tokens come with the context and its socket is watched on the
// wire.
test.use({ trace: 'off' });

test('a ringtone the autoplay policy holds back says so and plays once enabled', async ({ baseURL, alice }) => {
  // Its own browser without --autoplay-policy=no-user-gesture-required (the config passes it).
  const strict = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream'],
  });
  try {
    const a = await registerViaApi(alice.page.request, 'alice');
    const b = await registerViaApi(alice.page.request, 'bob');
    const origin = new URL(baseURL!).origin;
    const context = await strict.newContext({
      baseURL,
      storageState: {
        cookies: [],
        origins: [{ origin, localStorage: [
          { name: 'callhub.access', value: b.access },
          { name: 'callhub.refresh', value: b.refresh },
        ] }],
      },
    });
    const page = await context.newPage();
    // Frames are watched from the socket's first moment: auth-ok may come at once.
    const seen: string[] = [];
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname === '/ws/') ws.on('framereceived', (frame) => seen.push(String(frame.payload)));
    });
    const received = (type: string) => expect.poll(() => seen.some((text) => text.includes(`"type":"${type}"`))).toBe(true);
    await page.goto('/contacts');
    await received('auth-ok');
    const started = await api(alice.page.request, a, 'POST', '/api/calls/', { receiver: b.id, call_type: 'audio' });
    expect(started.status()).toBe(201);
    await received('call-incoming');
    // The ringtone is started and held before the first check below.
    await page.waitForTimeout(1_000);

    const overlay = page.getByTestId('incoming-call');
    await expect(overlay).toHaveAttribute('data-ringtone', 'blocked');
    await expect(page.getByTestId('sound-blocked')).toContainText('holding the ringtone back');
    await snap(page, 'incoming-sound-blocked');
    await page.getByTestId('enable-sound').click();
    await expect(overlay).toHaveAttribute('data-ringtone', 'playing');
    await expect(page.getByTestId('sound-blocked')).toHaveCount(0);
  } finally {
    await strict.close();
  }
});
