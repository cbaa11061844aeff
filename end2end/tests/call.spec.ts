import { test, expect, snap, type Party } from './fixtures';
import type { Page } from '@playwright/test';

// The in-call experience: two browser contexts with fake camera and microphone, signed in through
// REST, the call started and accepted through REST, then /call/{id} opened on both sides. Media is
// proven to flow by inbound-rtp bytes growing in getStats() (window.__callhub_stats, set by the app).

const PASSWORD = 'Blue-Kettle-Morning-42';

interface Account {
  id: number;
  username: string;
  access: string;
}

interface Stats {
  audioBytes: number;
  videoBytes: number;
  videoFrames: number;
  videoTracks: number;
  connection: string;
}

function unique(name: string): string {
  return `${name}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Registers and signs in through REST, then stores the tokens where the app looks for them. */
async function signUp(party: Party): Promise<Account> {
  const username = unique(party.name);
  const request = party.page.request;
  const registered = await request.post('/api/users/', {
    data: { username, email: `${username}@example.test`, password: PASSWORD, password_confirm: PASSWORD },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const user = await registered.json();
  const signedIn = await request.post('/api/token/', { data: { username, password: PASSWORD } });
  expect(signedIn.status()).toBe(200);
  const tokens = await signedIn.json();
  await party.page.goto('/');
  await party.page.evaluate(
    ([access, refresh]) => {
      localStorage.setItem('callhub.access', access);
      localStorage.setItem('callhub.refresh', refresh);
    },
    [tokens.access, tokens.refresh],
  );
  return { id: user.id, username, access: tokens.access };
}

function auth(account: Account) {
  return { Authorization: `Bearer ${account.access}` };
}

async function startCall(caller: Party, from: Account, to: Account, callType: 'audio' | 'video') {
  const response = await caller.page.request.post('/api/calls/', {
    headers: auth(from),
    data: { receiver: to.id, call_type: callType },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: number; room_id: string };
}

async function acceptCall(receiver: Party, account: Account, id: number) {
  const response = await receiver.page.request.post(`/api/calls/${id}/accept/`, { headers: auth(account) });
  expect(response.status(), await response.text()).toBe(200);
}

async function getCall(party: Party, account: Account, id: number) {
  const response = await party.page.request.get(`/api/calls/${id}/`, { headers: auth(account) });
  expect(response.status()).toBe(200);
  return response.json();
}

/** Both signed in, an accepted call, both on /call/{id}. */
async function inCall(alice: Party, bob: Party, callType: 'audio' | 'video') {
  const a = await signUp(alice);
  const b = await signUp(bob);
  const call = await startCall(alice, a, b, callType);
  await acceptCall(bob, b, call.id);
  await alice.page.goto(`/call/${call.id}`);
  await bob.page.goto(`/call/${call.id}`);
  for (const party of [alice, bob]) {
    await expect(party.page.getByTestId('call-state')).toHaveText('Connected', { timeout: 30_000 });
  }
  return { a, b, id: call.id };
}

async function stats(page: Page): Promise<Stats | null> {
  return page.evaluate(async () => {
    const hook = (window as unknown as { __callhub_stats?: () => Promise<Stats> }).__callhub_stats;
    return hook ? await hook() : null;
  });
}

/** Inbound bytes grow between two samples ~2 s apart (after some have arrived at all). */
async function expectMediaFlowing(page: Page, video: boolean) {
  await expect
    .poll(async () => {
      const s = await stats(page);
      return s ? s.audioBytes > 0 && (!video || s.videoBytes > 0) : false;
    }, { timeout: 20_000 })
    .toBe(true);
  const first = (await stats(page))!;
  await page.waitForTimeout(2_000);
  const second = (await stats(page))!;
  expect(second.connection).toBe('connected');
  expect(second.audioBytes).toBeGreaterThan(first.audioBytes);
  if (video) {
    expect(second.videoBytes).toBeGreaterThan(first.videoBytes);
    expect(second.videoTracks).toBe(1);
  } else {
    expect(second.videoBytes).toBe(0);
    expect(second.videoTracks).toBe(0);
  }
}

async function expectRemoteVideoPlaying(page: Page) {
  await expect
    .poll(() =>
      page.getByTestId('remote-video').evaluate((element) => {
        const video = element as HTMLVideoElement;
        return !video.paused && video.readyState >= 2 && video.videoWidth > 0;
      }),
    )
    .toBe(true);
}

test('video call: both sides see the remote video and receive audio and video', async ({ alice, bob }) => {
  await inCall(alice, bob, 'video');
  for (const party of [alice, bob]) {
    await expectRemoteVideoPlaying(party.page);
    await expect(party.page.getByTestId('local-video')).toBeVisible();
    await expect(party.page.getByTestId('call-timer')).toHaveText(/^\d\d:\d\d$/);
  }
  await expectMediaFlowing(alice.page, true);
  await expectMediaFlowing(bob.page, true);
  await snap(alice.page, 'call-video-alice');
  await snap(bob.page, 'call-video-bob');
});

test('audio call: audio flows and no video is sent or shown', async ({ alice, bob }) => {
  await inCall(alice, bob, 'audio');
  for (const party of [alice, bob]) {
    await expect(party.page.getByTestId('audio-stage')).toBeVisible();
    await expect(party.page.getByTestId('remote-video')).toHaveCount(0);
    await expect(party.page.getByTestId('local-video')).toHaveCount(0);
    await expect(party.page.getByTestId('camera-button')).toHaveCount(0);
    await expectMediaFlowing(party.page, false);
  }
  await snap(alice.page, 'call-audio-alice');
});

for (const side of ['caller', 'receiver'] as const) {
  test(`hanging up (${side}) returns both to the contacts and ends the call with a duration`, async ({
    alice,
    bob,
  }) => {
    const { a, id } = await inCall(alice, bob, 'video');
    await alice.page.waitForTimeout(1_200);
    const hanger = side === 'caller' ? alice : bob;
    await hanger.page.getByTestId('hangup-button').click();
    for (const party of [alice, bob]) {
      await expect(party.page).toHaveURL(/\/contacts$/);
    }
    // A whole call, rung, answered and hung up, without one refused request on either side.
    expect(alice.refused).toEqual([]);
    expect(bob.refused).toEqual([]);
    const call = await getCall(alice, a, id);
    expect(call.status).toBe('ended');
    expect(call.end_reason).toBe(side === 'caller' ? 'hangup_caller' : 'hangup_receiver');
    expect(typeof call.duration).toBe('number');
    expect(call.duration).toBeGreaterThanOrEqual(1);
    // The history shows it, with its duration.
    await alice.page.goto('/history');
    const row = alice.page.getByTestId('history-row').first();
    await expect(row).toHaveAttribute('data-status', 'ended');
    await expect(row.getByTestId('history-duration')).toHaveText(/^\d+:\d{2}$/);
    await snap(alice.page, `history-after-hangup-${side}`);
    // The camera is released.
    const live = await hanger.page.evaluate(
      () => (window as unknown as { __callhub_pc?: unknown }).__callhub_pc ?? null,
    );
    expect(live).toBeNull();
  });
}

test('mute and camera off are shown on the other side', async ({ alice, bob }) => {
  const { a } = await inCall(alice, bob, 'video');
  await expect(bob.page.getByTestId('remote-muted')).toHaveCount(0);

  await alice.page.getByTestId('mute-button').click();
  await expect(alice.page.getByTestId('mute-button')).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByTestId('remote-muted')).toHaveText(`${a.username} muted their microphone`);

  await alice.page.getByTestId('camera-button').click();
  await expect(bob.page.getByTestId('remote-camera-off')).toContainText(`${a.username} turned their camera off`);
  await snap(bob.page, 'call-remote-muted-camera-off');

  await alice.page.getByTestId('mute-button').click();
  await alice.page.getByTestId('camera-button').click();
  await expect(bob.page.getByTestId('remote-muted')).toHaveCount(0);
  await expect(bob.page.getByTestId('remote-camera-off')).toHaveCount(0);
});

test('reloading either side during a call rejoins it and media flows again', async ({ alice, bob }) => {
  const { a, id } = await inCall(alice, bob, 'video');
  await expectMediaFlowing(bob.page, true);

  for (const party of [bob, alice]) {
    await party.page.reload();
    for (const p of [alice, bob]) {
      await expect(p.page.getByTestId('call-state')).toHaveText('Connected', { timeout: 30_000 });
    }
    await expectMediaFlowing(alice.page, true);
    await expectMediaFlowing(bob.page, true);
    await expectRemoteVideoPlaying(party.page);
  }
  expect((await getCall(alice, a, id)).status).toBe('accepted');
  await snap(alice.page, 'call-after-reload');
});

test('the caller sees the callee ringing, then that they declined', async ({ alice, bob }) => {
  const a = await signUp(alice);
  const b = await signUp(bob);
  const call = await startCall(alice, a, b, 'video');
  await alice.page.goto(`/call/${call.id}`);
  await expect(alice.page.getByTestId('callee-name')).toHaveText(b.username);
  await expect(alice.page.getByTestId('call-state')).toHaveText('Ringing…');
  await expect(alice.page.getByTestId('cancel-button')).toBeVisible();
  await snap(alice.page, 'call-outgoing-ringing');

  const rejected = await bob.page.request.post(`/api/calls/${call.id}/reject/`, { headers: auth(b) });
  expect(rejected.status()).toBe(200);
  await expect(alice.page.getByTestId('call-outcome')).toHaveText(`${b.username} declined`);
  await snap(alice.page, 'call-declined');
  await alice.page.getByTestId('back-button').click();
  await expect(alice.page).toHaveURL(/\/contacts$/);
});

test('the caller can cancel while it rings', async ({ alice, bob }) => {
  const a = await signUp(alice);
  const b = await signUp(bob);
  const call = await startCall(alice, a, b, 'audio');
  await alice.page.goto(`/call/${call.id}`);
  await alice.page.getByTestId('cancel-button').click();
  await expect(alice.page).toHaveURL(/\/contacts$/);
  expect((await getCall(alice, a, call.id)).status).toBe('cancelled');
  await snap(alice.page, 'after-cancel');
});
