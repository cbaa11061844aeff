import { expect, type Party } from './fixtures';
import { api, openSignedIn, registerViaApi, type Account } from './app-helpers';
import type { Page } from '@playwright/test';

// What the call specs share: signing up with relay-only on, starting and joining a call, and the
// media figures of the call page (window.__callhub_stats, set by the app).

export interface Stats {
  audioBytes: number;
  videoBytes: number;
  /** Remote video tracks receiving (live and unmuted): 0 in an audio call until video is sent. */
  videoTracks: number;
  connection: string;
  localCandidateType: string;
  remoteCandidateType: string;
}

export async function stats(page: Page): Promise<Stats | null> {
  return page.evaluate(async () => {
    const hook = (window as unknown as { __callhub_stats?: () => Promise<Stats> }).__callhub_stats;
    return hook ? await hook() : null;
  });
}

/** Signs `party` up and turns relay-only on in the profile's privacy settings. */
export async function relayOnlyUser(party: Party): Promise<Account> {
  const account = await registerViaApi(party.page.request, party.name);
  await openSignedIn(party.page, account, '/profile');
  // Signed in as offline; this page's own socket makes the user online.
  await expect(party.page.getByTestId('profile-status')).toHaveText('Online');
  const toggle = party.page.getByTestId('relay-only');
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();
  return account;
}

export async function startCall(
  party: Party,
  from: Account,
  to: Account,
  callType: 'audio' | 'video' = 'video',
): Promise<number> {
  const response = await api(party.page.request, from, 'POST', '/api/calls/', {
    receiver: to.id,
    call_type: callType,
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).id;
}

/** `to` accepts call `id` through REST, both open /call/{id}, and both say "Connected". */
export async function acceptAndJoin(caller: Party, callee: Party, to: Account, id: number): Promise<void> {
  const accepted = await api(callee.page.request, to, 'POST', `/api/calls/${id}/accept/`);
  expect(accepted.status(), await accepted.text()).toBe(200);
  await caller.page.goto(`/call/${id}`);
  await callee.page.goto(`/call/${id}`);
  for (const party of [caller, callee]) {
    await expect(party.page.getByTestId('call-state')).toHaveText('Connected', { timeout: 30_000 });
  }
}

/** Waits until audio and video bytes received grow on `page`, beyond `after` if given. */
export async function mediaGrows(page: Page, timeout: number, after?: Stats): Promise<Stats> {
  let first: Stats | null = null;
  await expect
    .poll(async () => {
      const s = await stats(page);
      if (!s || s.audioBytes <= (after?.audioBytes ?? 0) || s.videoBytes <= (after?.videoBytes ?? 0)) {
        return false;
      }
      first ??= s;
      return s.audioBytes > first.audioBytes && s.videoBytes > first.videoBytes;
    }, { timeout, intervals: [250] })
    .toBe(true);
  return (await stats(page))!;
}

/** The device the connection's sender of `kind` captures from. */
export async function sendingDevice(page: Page, kind: 'audio' | 'video'): Promise<string> {
  return page.evaluate((kind) => {
    const pc = (window as unknown as { __callhub_pc: RTCPeerConnection }).__callhub_pc;
    const track = pc.getSenders().find((s) => s.track?.kind === kind)?.track;
    return track?.getSettings().deviceId ?? '';
  }, kind);
}

/** Chooses the option labelled `label` in the select `testid`; its value (the device id). */
export async function choose(page: Page, testid: string, label: string): Promise<string> {
  const select = page.getByTestId(testid);
  const current = await select.inputValue();
  await select.selectOption({ label });
  const chosen = await select.inputValue();
  expect(chosen).not.toBe(current);
  return chosen;
}

/** Counts the call-offer messages `party`'s pages send on their room sockets. */
export function countOffers(party: Party): () => number {
  let offers = 0;
  party.page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.includes('"call-offer"')) offers += 1;
    });
  });
  return () => offers;
}

/** Both signed in, a video call (or `callType`) from `caller` to `callee` accepted, both on
 *  /call/{id} and connected. */
export async function videoCall(
  caller: Party,
  callee: Party,
  callType: 'audio' | 'video' = 'video',
): Promise<{ a: Account; b: Account; id: number }> {
  const a = await registerViaApi(caller.page.request, caller.name);
  const b = await registerViaApi(callee.page.request, callee.name);
  await openSignedIn(caller.page, a);
  await openSignedIn(callee.page, b);
  const id = await startCall(caller, a, b, callType);
  await acceptAndJoin(caller, callee, b, id);
  return { a, b, id };
}
