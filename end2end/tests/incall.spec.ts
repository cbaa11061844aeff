import { test, expect, snap } from './fixtures';
import { choose, countOffers, mediaGrows, sendingDevice, videoCall } from './relay-helpers';
import type { Page } from '@playwright/test';

// In-call controls (issue 19): two browser contexts with Chromium's fake camera and microphone in
// an accepted video call. The connection itself is window.__callhub_pc (set by the app).

/** Caps (or, with null, uncaps) the bitrate of every video sender of the page's connection. */
async function capVideoBitrate(page: Page, bitsPerSecond: number | null) {
  await page.evaluate(async (cap) => {
    const pc = (window as unknown as { __callhub_pc: RTCPeerConnection }).__callhub_pc;
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== 'video') continue;
      const parameters = sender.getParameters();
      for (const encoding of parameters.encodings) {
        if (cap === null) delete encoding.maxBitrate;
        else encoding.maxBitrate = cap;
      }
      await sender.setParameters(parameters);
    }
  }, bitsPerSecond);
}

const grade = (page: Page, testid: string) => page.getByTestId(testid).getAttribute('data-grade');

test('the connection grade turns poor when the sender is capped, on both sides', async ({ alice, bob }) => {
  const { a } = await videoCall(alice, bob);
  // Measured within a couple of samples, and not poor on a free loopback path.
  for (const party of [alice, bob]) {
    await expect.poll(() => grade(party.page, 'quality-local'), { timeout: 20_000 }).toMatch(/^(good|fair)$/);
  }
  await expect.poll(() => grade(bob.page, 'quality-remote'), { timeout: 10_000 }).toMatch(/^(good|fair)$/);

  // 30 kbit/s of video is a slide show: alice's side grades itself poor and tells bob.
  await capVideoBitrate(alice.page, 30_000);
  const local = alice.page.getByTestId('quality-local');
  await expect(local).toHaveAttribute('data-grade', 'poor', { timeout: 15_000 });
  await expect(local).toHaveAttribute('role', 'img');
  await expect(local).toHaveAttribute('aria-label', 'Your connection: poor');
  await expect(alice.page.getByTestId('quality-notice')).toHaveText('Your connection is poor');

  const remote = bob.page.getByTestId('quality-remote');
  await expect(remote).toHaveAttribute('data-grade', 'poor', { timeout: 10_000 });
  await expect(remote).toHaveAttribute('aria-label', `${a.username}'s connection: poor`);
  await expect(bob.page.getByTestId('quality-notice')).toHaveText(`${a.username}'s connection is poor`);
  await expect(bob.page.getByTestId('quality-notice')).toHaveAttribute('role', 'status');
  expect(await grade(bob.page, 'quality-local')).not.toBe('poor');
  await snap(alice.page, 'incall-quality-poor-self');
  await snap(bob.page, 'incall-quality-poor-other');

  // Uncapped, the bitrate climbs back and both sides see it recover.
  await capVideoBitrate(alice.page, null);
  await expect.poll(() => grade(alice.page, 'quality-local'), { timeout: 30_000 }).not.toBe('poor');
  await expect.poll(() => grade(bob.page, 'quality-remote'), { timeout: 10_000 }).not.toBe('poor');
  await expect(bob.page.getByTestId('quality-notice')).toHaveText('');
});

test('switching camera and microphone mid-call keeps media flowing without a new offer', async ({ alice, bob }) => {
  const offers = countOffers(alice);
  await videoCall(alice, bob);
  await mediaGrows(bob.page, 20_000);
  const offersBefore = offers();
  expect(offersBefore).toBeGreaterThan(0);

  await alice.page.getByTestId('devices-button').click();
  await expect(alice.page.getByTestId('device-menu')).toBeVisible();
  // Labelled: permission was granted for the call.
  await expect(alice.page.getByTestId('device-camera').locator('option').first()).not.toHaveText(/^Camera \d/);
  // No speaker chosen: Chromium's own "default" entry shows as the one in use.
  await expect(alice.page.getByTestId('device-speaker')).toHaveValue('default');
  // Chromium's fake cameras: fake_device_0 is the default (see playwright.config.ts).
  const camera = await choose(alice.page, 'device-camera', 'fake_device_2');
  await expect.poll(() => sendingDevice(alice.page, 'video')).toBe(camera);
  const microphone = await choose(alice.page, 'device-microphone', 'Fake Audio Input 2');
  await expect.poll(() => sendingDevice(alice.page, 'audio')).toBe(microphone);
  await snap(alice.page, 'incall-devices');

  // The other side keeps receiving both, over the same connection.
  const after = await mediaGrows(bob.page, 10_000);
  await mediaGrows(bob.page, 10_000, after);
  expect(offers()).toBe(offersBefore);

  // Remembered on this browser: the next call starts with them.
  await alice.page.reload();
  await expect(alice.page.getByTestId('call-state')).toHaveText('Connected', { timeout: 30_000 });
  await expect.poll(() => sendingDevice(alice.page, 'video')).toBe(camera);
  await expect.poll(() => sendingDevice(alice.page, 'audio')).toBe(microphone);
});

/** What the connection's video sender captures: "monitor", "window" or "browser" for a shared
 *  screen, "" for the camera. */
async function sendingSurface(page: Page): Promise<string> {
  return page.evaluate(() => {
    const pc = (window as unknown as { __callhub_pc: RTCPeerConnection }).__callhub_pc;
    const track = pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
    const settings = track?.getSettings() as (MediaTrackSettings & { displaySurface?: string }) | undefined;
    return settings?.displaySurface ?? '';
  });
}

async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const hook = (window as unknown as { __callhub_stats: () => Promise<{ videoFrames: number }> }).__callhub_stats;
    return (await hook()).videoFrames;
  });
}

test('a shared screen reaches the other side uncropped; the browser stopping it brings the camera back', async ({ alice, bob }) => {
  const offers = countOffers(alice);
  await videoCall(alice, bob);
  await mediaGrows(bob.page, 20_000);
  const offersBefore = offers();

  const share = alice.page.getByTestId('share-button');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true', { timeout: 15_000 });
  await expect.poll(() => sendingSurface(alice.page)).not.toBe('');
  const remote = bob.page.getByTestId('remote-video');
  await expect(remote).toHaveAttribute('data-sharing', 'true');
  await expect(remote).toHaveCSS('object-fit', 'contain');
  // Bob decodes the screen's frames.
  const frames = await framesDecoded(bob.page);
  await expect.poll(() => framesDecoded(bob.page), { timeout: 10_000 }).toBeGreaterThan(frames + 10);
  await snap(bob.page, 'incall-screen-remote');
  await snap(alice.page, 'incall-screen-local');

  // The browser's own "Stop sharing" ends the track (script cannot click that bar).
  await alice.page.evaluate(() => {
    const pc = (window as unknown as { __callhub_pc: RTCPeerConnection }).__callhub_pc;
    pc.getSenders().find((s) => s.track?.kind === 'video')?.track?.dispatchEvent(new Event('ended'));
  });
  await expect(share).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => sendingSurface(alice.page)).toBe('');
  await expect(remote).toHaveAttribute('data-sharing', 'false');
  await mediaGrows(bob.page, 10_000);
  expect(offers()).toBe(offersBefore);
});

test('a chat message crosses peer to peer and counts as unread until the panel opens', async ({ alice, bob }) => {
  await videoCall(alice, bob);
  // The server never sees the chat: count what the room sockets carry.
  const serverSaw: string[] = [];
  for (const party of [alice, bob]) {
    party.page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => serverSaw.push(String(frame.payload)));
    });
  }
  await alice.page.getByTestId('chat-button').click();
  const input = alice.page.getByTestId('chat-input');
  await expect(input).toHaveAttribute('maxlength', '1000');
  await input.fill('Can you see my slides?');
  await input.press('Enter');
  await expect(alice.page.getByTestId('chat-line')).toHaveText(['YouCan you see my slides?']);
  await expect(input).toHaveValue('');

  const badge = bob.page.getByTestId('chat-unread');
  await expect(badge).toHaveText('1');
  await expect(bob.page.getByTestId('chat-button')).toHaveAttribute('aria-label', 'Chat, 1 unread');
  await snap(bob.page, 'incall-chat-unread');
  await bob.page.getByTestId('chat-button').click();
  await expect(badge).toHaveCount(0);
  await expect(bob.page.getByTestId('chat-line').last()).toContainText('Can you see my slides?');
  await bob.page.getByTestId('chat-input').fill('Yes, all of them');
  await bob.page.getByTestId('chat-send').click();
  await expect(alice.page.getByTestId('chat-line').last()).toContainText('Yes, all of them');
  await snap(alice.page, 'incall-chat');
  expect(serverSaw.filter((frame) => frame.includes('slides') || frame.includes('all of them'))).toEqual([]);
});

test('keyboard shortcuts mute and show their help, but not while typing', async ({ alice, bob }) => {
  await videoCall(alice, bob);
  const mute = alice.page.getByTestId('mute-button');
  await alice.page.keyboard.press('m');
  await expect(mute).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByTestId('remote-muted')).toBeVisible();
  await alice.page.keyboard.press('v');
  await expect(alice.page.getByTestId('camera-button')).toHaveAttribute('aria-pressed', 'true');

  // Typed into the chat, "m" is a letter.
  await alice.page.getByTestId('chat-button').click();
  await alice.page.getByTestId('chat-input').fill('');
  await alice.page.getByTestId('chat-input').press('m');
  await expect(alice.page.getByTestId('chat-input')).toHaveValue('m');
  await expect(mute).toHaveAttribute('aria-pressed', 'true');

  await alice.page.getByTestId('chat-input').blur();
  await alice.page.keyboard.press('?');
  await expect(alice.page.getByTestId('shortcuts-help')).toContainText('Mute or unmute');
  await snap(alice.page, 'incall-shortcuts');
  await alice.page.keyboard.press('M');
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
});
