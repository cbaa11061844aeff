import { test as base, expect, type Party } from './fixtures';
import { api, openSignedIn, registerViaApi, type Account } from './app-helpers';
import { mediaGrows, startCall } from './relay-helpers';
import { Server, serverBin } from './processes';

// A call through a network break. This spec starts its own server (the built binary scripts/test
// passes as SERVER_BIN, on a SQLite file that outlives a restart) so that it can restart it under
// a live call.

/** The server's WS_GRACE_SECS: the restart spec outwaits it to prove both parties rejoined. */
const GRACE_SECS = 10;

const test = base.extend<object, { server: Server }>({
  server: [
    async ({}, use) => {
      // A party that does not rejoin after the restart loses the call quickly.
      const server = await Server.create({ WS_GRACE_SECS: String(GRACE_SECS) });
      await server.start();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ server }, use) => use(server.url),
});

test.skip(!serverBin, 'needs SERVER_BIN: the built server (scripts/test passes it)');

const callState = (party: Party) => party.page.getByTestId('call-state');

/** Signs `party` up, relay-only off. */
async function directUser(party: Party): Promise<Account> {
  const account = await registerViaApi(party.page.request, party.name);
  await openSignedIn(party.page, account);
  return account;
}

/** Two users in an accepted call, both on its page; the call's id. */
async function acceptedCall(alice: Party, bob: Party): Promise<{ id: number; a: Account; b: Account }> {
  const a = await directUser(alice);
  const b = await directUser(bob);
  const id = await startCall(alice, a, b);
  const accepted = await api(bob.page.request, b, 'POST', `/api/calls/${id}/accept/`);
  expect(accepted.status(), await accepted.text()).toBe(200);
  await alice.page.goto(`/call/${id}`);
  await bob.page.goto(`/call/${id}`);
  return { id, a, b };
}

/** The page's `[callhub rtc]` console lines. */
function rtcLog(party: Party): string[] {
  const lines: string[] = [];
  party.page.on('console', (message) => {
    if (message.text().startsWith('[callhub rtc]')) lines.push(message.text());
  });
  return lines;
}

test('the server restarted mid-call: both pages rejoin the room and media goes on', async ({ alice, bob, server }) => {
  test.setTimeout(120_000);
  // Direct calls: the media path does not involve the server at all.
  const { id, a } = await acceptedCall(alice, bob);
  const parties = [alice, bob];
  for (const party of parties) await expect(callState(party)).toHaveText('Connected', { timeout: 30_000 });
  for (const party of parties) await mediaGrows(party.page, 20_000);
  const logs = new Map(parties.map((party) => [party, rtcLog(party)] as const));

  const stopped = Date.now();
  await server.stop('SIGTERM');
  expect(server.log()).toContain('SIGTERM received');
  await server.start();
  console.log(`[recovery] server restarted in ${Date.now() - stopped} ms`);
  for (const party of parties) {
    // The drain told the page to come back (1012), and it did.
    await expect.poll(() => logs.get(party)!.join('\n'), { timeout: 10_000 }).toContain('room socket closed (1012)');
  }
  // Past the grace: a party that had not rejoined would have lost the call by now.
  await alice.page.waitForTimeout(GRACE_SECS * 1000 + 2_000);
  const call = await (await api(alice.page.request, a, 'GET', `/api/calls/${id}/`)).json();
  expect(call.status, JSON.stringify(call)).toBe('accepted');
  for (const party of parties) {
    await expect(callState(party)).toHaveText('Connected', { timeout: 30_000 });
    await mediaGrows(party.page, 20_000);
  }
  console.log(`[recovery] media flowing ${Date.now() - stopped} ms after the SIGTERM`);
  await expect(alice.page).toHaveURL(new RegExp(`/call/${id}$`));
});
