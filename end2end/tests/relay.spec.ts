import { test, expect, snap } from './fixtures';
import { api, registerViaApi } from './app-helpers';
import { acceptAndJoin, relayOnlyUser, startCall, stats } from './relay-helpers';

// Relay-only calls (privacy: the peer never sees the user's addresses). The main server of the run
// offers no TURN; scripts/test also starts coturn (127.0.0.1, use-auth-secret) and a second server
// with TURN_SERVER/TURN_SECRET pointing at it, whose address it passes as TURN_BASE_URL.

const turnBaseURL = process.env.TURN_BASE_URL;

test.describe('relay-only through coturn', () => {
  test.skip(!turnBaseURL, 'needs TURN_BASE_URL: a server with TURN (scripts/test starts coturn and one)');
  test.use({ baseURL: turnBaseURL });

  test('the call connects and the selected candidate pair is relay on both sides', async ({ alice, bob }) => {
    // Both sides relay-only: coturn listens on loopback only, and a relay address on 127.0.0.1
    // can reach the other party's relay address but not its host candidates (on eth0).
    const a = await relayOnlyUser(alice);
    const b = await relayOnlyUser(bob);
    // Still on after a reload: the setting lives in localStorage.
    await alice.page.reload();
    await expect(alice.page.getByTestId('relay-only')).toBeChecked();
    await expect(alice.page.getByTestId('relay-unavailable')).toHaveCount(0);

    const id = await startCall(alice, a, b);
    await acceptAndJoin(alice, bob, b, id);
    for (const party of [alice, bob]) {
      await expect(party.page.getByTestId('link-error')).toHaveCount(0);
    }

    for (const party of [alice, bob]) {
      await expect
        .poll(async () => {
          const s = await stats(party.page);
          return s ? s.audioBytes > 0 && s.videoBytes > 0 : false;
        }, { timeout: 20_000 })
        .toBe(true);
      const first = (await stats(party.page))!;
      await expect
        .poll(async () => {
          const s = (await stats(party.page))!;
          return s.audioBytes > first.audioBytes && s.videoBytes > first.videoBytes;
        }, { timeout: 10_000 })
        .toBe(true);
      const now = (await stats(party.page))!;
      expect(now.connection).toBe('connected');
      expect(now.localCandidateType).toBe('relay');
      expect(now.remoteCandidateType).toBe('relay');
    }
    await snap(alice.page, 'call-relay-only');
  });
});

test('relay-only without a TURN server says why the call cannot connect', async ({ alice, bob }) => {
  // The main server of the run has no TURN (STUN_URLS empty, no TURN_SERVER).
  const a = await relayOnlyUser(alice);
  await expect(alice.page.getByTestId('relay-unavailable')).toContainText('no TURN relay');
  await snap(alice.page, 'profile-relay-unavailable');
  const b = await registerViaApi(bob.page.request, bob.name);

  const id = await startCall(alice, a, b);
  await alice.page.goto(`/call/${id}`);
  await expect(alice.page.getByTestId('link-error')).toContainText(
    'this server offers no TURN relay, so the call cannot connect',
  );
  await snap(alice.page, 'call-relay-unavailable');
  const cancelled = await api(alice.page.request, a, 'POST', `/api/calls/${id}/cancel/`);
  expect(cancelled.status(), await cancelled.text()).toBe(200);
});
