import { test, expect, snap } from './fixtures';
import { openSignedIn, registerViaApi, waitForSocket } from './app-helpers';
import { acceptAndJoin, startCall, videoCall } from './relay-helpers';
import type { Page } from '@playwright/test';

// Before the call (issue 19): the device check on the profile and in the ringing overlay of a
// video call, and picture-in-picture in the call. Chromium's fake devices (playwright.config.ts:
// three fake cameras, fake_device_0 the default; a fake microphone that beeps).

/** The device the call's connection sends video from. */
async function sendingCamera(page: Page): Promise<string> {
  return page.evaluate(() => {
    const pc = (window as unknown as { __callhub_pc: RTCPeerConnection }).__callhub_pc;
    return pc.getSenders().find((s) => s.track?.kind === 'video')?.track?.getSettings().deviceId ?? '';
  });
}

test('the profile\'s device check previews, meters, and its camera is the one the call uses', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(alice.page, a, '/profile');
  const card = alice.page.getByTestId('device-check-card');
  // Nothing is opened before the user asks.
  await expect(card.getByTestId('device-check-preview')).toHaveCount(0);
  await card.getByTestId('device-check-toggle').click();
  await expect(card.getByTestId('device-check-toggle')).toHaveAttribute('aria-expanded', 'true');

  // The preview plays.
  const preview = card.getByTestId('device-check-preview');
  await expect
    .poll(() => preview.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  // The fake microphone beeps: the meter goes above zero.
  const meter = card.getByTestId('device-check-level');
  await expect
    .poll(async () => Number(await meter.getAttribute('data-peak')), { timeout: 15_000 })
    .toBeGreaterThan(0);

  // Another camera: the preview switches to it, and it is remembered.
  const select = card.getByTestId('device-check-camera');
  await expect(select.locator('option').first()).not.toHaveText(/^Camera \d/);
  await select.selectOption({ label: 'fake_device_2' });
  const chosen = await select.inputValue();
  await expect
    .poll(() => preview.evaluate((v: HTMLVideoElement) =>
      (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId ?? ''))
    .toBe(chosen);
  expect(await alice.page.evaluate(() => localStorage.getItem('callhub.device.camera'))).toBe(chosen);
  await expect(card.getByTestId('device-check-tone')).toBeEnabled();
  await card.getByTestId('device-check-tone').click();
  await snap(alice.page, 'device-check-profile');

  // Stopping releases the camera.
  await card.getByTestId('device-check-toggle').click();
  await expect(preview).toHaveCount(0);

  // The next call sends from the camera chosen in the check.
  await openSignedIn(bob.page, b);
  const id = await startCall(alice, a, b);
  await acceptAndJoin(alice, bob, b, id);
  await expect.poll(() => sendingCamera(alice.page)).toBe(chosen);
});

test('the contacts page offers the device check before starting a call', async ({ alice }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  await openSignedIn(alice.page, a);
  await alice.page.getByTestId('device-check-toggle').click();
  const preview = alice.page.getByTestId('device-check-preview');
  await expect
    .poll(() => preview.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await snap(alice.page, 'device-check-contacts');
  // Leaving the page releases the camera.
  await alice.page.getByTestId('nav-history').click();
  await expect(alice.page).toHaveURL(/\/history$/);
  await expect(preview).toHaveCount(0);
});

test('the ringing overlay of a video call offers the device check before accepting', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  await startCall(alice, a, b);
  const overlay = bob.page.getByTestId('incoming-call');
  await expect(overlay).toBeVisible();
  await overlay.getByTestId('device-check-toggle').click();
  const preview = overlay.getByTestId('device-check-preview');
  await expect
    .poll(() => preview.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await snap(bob.page, 'device-check-incoming');
  // Accepting takes the call page; the check's camera is released with the overlay.
  await overlay.getByTestId('accept-call').click();
  await expect(bob.page).toHaveURL(new RegExp('/call/\\d+$'));
  await expect(preview).toHaveCount(0);
});

test('picture-in-picture floats the remote video where the browser allows it', async ({ alice, bob }) => {
  await videoCall(alice, bob);
  const enabled = await alice.page.evaluate(() => document.pictureInPictureEnabled === true);
  const button = alice.page.getByTestId('pip-button');
  if (!enabled) {
    await expect(button).toHaveCount(0);
    test.info().annotations.push({ type: 'note', description: 'pictureInPictureEnabled is false here' });
    return;
  }
  await expect(button).toHaveText('Picture in picture');
  await button.click();
  await expect
    .poll(() => alice.page.evaluate(() => document.pictureInPictureElement?.getAttribute('data-testid') ?? null))
    .toBe('remote-video');
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(button).toHaveText('Back to the page');
  await snap(alice.page, 'incall-pip');
  await button.click();
  await expect.poll(() => alice.page.evaluate(() => document.pictureInPictureElement)).toBeNull();
  await expect(button).toHaveAttribute('aria-pressed', 'false');
});
