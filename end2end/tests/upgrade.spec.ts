import { test, expect, snap } from './fixtures';
import { choose, countOffers, sendingDevice, stats, videoCall } from './relay-helpers';
import type { Page } from '@playwright/test';

// Audio calls upgrading to video (issue 19): every audio call negotiates an idle video
// transceiver, so turning the camera on (or sharing a screen) is a replaceTrack on it and the
// other side's audio stage turns into the video stage, with no new call-offer.

/** The other side's video element shows decoded frames (videoWidth > 0). */
async function remoteVideoWidth(page: Page): Promise<number> {
  return page.getByTestId('remote-video').evaluate((video) => (video as HTMLVideoElement).videoWidth);
}

/** Video bytes received on `page` grow past `after`. */
async function videoGrows(page: Page, after: number): Promise<number> {
  await expect.poll(async () => (await stats(page))?.videoBytes ?? 0, { timeout: 15_000 }).toBeGreaterThan(after);
  return (await stats(page))!.videoBytes;
}

test('an audio call turns the camera on and off and shares a screen without a new call', async ({ alice, bob }) => {
  const offers = countOffers(alice);
  await videoCall(alice, bob, 'audio');
  for (const party of [alice, bob]) {
    await expect(party.page.getByTestId('audio-stage')).toBeVisible();
    await expect(party.page.getByTestId('remote-video')).toHaveCount(0);
  }
  // Audio flows; the idle video receiver receives nothing and counts as no video track.
  await expect.poll(async () => (await stats(bob.page))?.audioBytes ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
  const idle = (await stats(bob.page))!;
  expect(idle.videoBytes).toBe(0);
  expect(idle.videoTracks).toBe(0);
  const offersBefore = offers();
  expect(offersBefore).toBeGreaterThan(0);

  // The device menu lists cameras in an audio call too: the one chosen is the one turned on.
  await alice.page.getByTestId('devices-button').click();
  const chosen = await choose(alice.page, 'device-camera', 'fake_device_2');
  await alice.page.getByTestId('devices-button').click();

  // Alice turns her camera on: both pages show the video stage, bob decodes her frames.
  const camera = alice.page.getByTestId('video-button');
  await expect(camera).toHaveText('Turn camera on');
  await camera.click();
  await expect(camera).toHaveAttribute('aria-pressed', 'true', { timeout: 15_000 });
  await expect(camera).toHaveText('Turn camera off');
  expect(await sendingDevice(alice.page, 'video')).toBe(chosen);
  await expect(bob.page.getByTestId('audio-stage')).toHaveCount(0);
  await expect(bob.page.getByTestId('remote-video')).toBeVisible();
  await expect(alice.page.getByTestId('local-video')).toBeVisible();
  // Bob sends no video: no empty preview box on his page.
  await expect(bob.page.getByTestId('local-video')).toBeHidden();
  // Bob sends nothing: alice's stage shows his avatar where his video would be.
  await expect(alice.page.getByTestId('remote-camera-off')).toBeVisible();
  await expect(bob.page.getByTestId('remote-camera-off')).toHaveCount(0);
  const bytes = await videoGrows(bob.page, 0);
  await videoGrows(bob.page, bytes);
  await expect.poll(() => remoteVideoWidth(bob.page), { timeout: 10_000 }).toBeGreaterThan(0);
  expect((await stats(bob.page))!.videoTracks).toBe(1);
  await snap(bob.page, 'upgrade-video-remote');
  await snap(alice.page, 'upgrade-video-local');

  // And off again: back to the audio stage on both sides, audio still flowing.
  await camera.click();
  await expect(camera).toHaveAttribute('aria-pressed', 'false');
  for (const party of [alice, bob]) {
    await expect(party.page.getByTestId('audio-stage')).toBeVisible();
  }
  const audio = (await stats(bob.page))!.audioBytes;
  await expect.poll(async () => (await stats(bob.page))!.audioBytes, { timeout: 10_000 }).toBeGreaterThan(audio);
  await snap(bob.page, 'upgrade-back-to-audio');

  // The receiver can too: the transceiver its answer turned to sendrecv carries bob's camera.
  const bobCamera = bob.page.getByTestId('video-button');
  await bobCamera.click();
  await expect(bobCamera).toHaveAttribute('aria-pressed', 'true', { timeout: 15_000 });
  await expect(alice.page.getByTestId('remote-video')).toBeVisible();
  await videoGrows(alice.page, (await stats(alice.page))!.videoBytes);
  await expect.poll(() => remoteVideoWidth(alice.page), { timeout: 10_000 }).toBeGreaterThan(0);
  await bobCamera.click();
  await expect(alice.page.getByTestId('audio-stage')).toBeVisible();

  // A shared screen upgrades the call the same way, shown uncropped, and stopping it goes back.
  const share = alice.page.getByTestId('share-button');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true', { timeout: 15_000 });
  await expect(camera).toBeDisabled();
  const remote = bob.page.getByTestId('remote-video');
  await expect(remote).toHaveAttribute('data-sharing', 'true');
  await videoGrows(bob.page, (await stats(bob.page))!.videoBytes);
  await expect.poll(() => remoteVideoWidth(bob.page), { timeout: 10_000 }).toBeGreaterThan(0);
  await snap(bob.page, 'upgrade-screen-remote');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'false');
  await expect(bob.page.getByTestId('audio-stage')).toBeVisible();
  await expect(camera).toBeEnabled();

  expect(offers()).toBe(offersBefore);
});
