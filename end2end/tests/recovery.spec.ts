import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { test as base, expect, snap, type Party } from './fixtures';
import { api, openSignedIn, registerViaApi, type Account } from './app-helpers';
import { mediaGrows, relayOnlyUser, startCall, stats, type Stats } from './relay-helpers';
import { Coturn, Server, serverBin, turnserverBin } from './processes';

// A call through a network break. These specs start their own coturn and server (the built binary
// scripts/test passes as SERVER_BIN, on a SQLite file) so that they can stop and start them under
// a live call. Both parties are relay-only: all media goes through coturn, so stopping coturn
// breaks the media path (and its allocations are gone for good: only an ICE restart recovers).

/** After the relay is back, media flows again on both sides within this (measured: see README). */
const RECOVERY_BOUND_MS = 12_000;

/** The server's WS_GRACE_SECS: the restart spec outwaits it to prove both parties rejoined. */
const GRACE_SECS = 10;

interface Stack {
  coturn: Coturn;
  server: Server;
}

const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const secret = crypto.randomBytes(18).toString('hex');
      // Started by the specs that need it: the restart spec's calls are direct.
      const coturn = await Coturn.create(secret);
      const server = await Server.create({
        TURN_SERVER: `turn:127.0.0.1:${coturn.port}`,
        TURN_SECRET: secret,
        // A party that does not rejoin after the server's restart loses the call quickly.
        WS_GRACE_SECS: String(GRACE_SECS),
      });
      await server.start();
      await use({ coturn, server });
      await server.stop();
      await coturn.stop();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ stack }, use) => use(stack.server.url),
});

test.skip(!serverBin, 'needs SERVER_BIN: the built server (scripts/test passes it)');
const noCoturn = !fs.existsSync(turnserverBin);

const callState = (party: Party) => party.page.getByTestId('call-state');

/** Signs `party` up, relay-only off. */
async function directUser(party: Party): Promise<Account> {
  const account = await registerViaApi(party.page.request, party.name);
  await openSignedIn(party.page, account);
  return account;
}

/** Two users (relay-only unless `direct`) in an accepted call, both on its page; the call's id. */
async function acceptedCall(alice: Party, bob: Party, direct = false): Promise<{ id: number; a: Account; b: Account }> {
  const user = direct ? directUser : relayOnlyUser;
  const a = await user(alice);
  const b = await user(bob);
  const id = await startCall(alice, a, b);
  const accepted = await api(bob.page.request, b, 'POST', `/api/calls/${id}/accept/`);
  expect(accepted.status(), await accepted.text()).toBe(200);
  await alice.page.goto(`/call/${id}`);
  await bob.page.goto(`/call/${id}`);
  return { id, a, b };
}

/** Times (ms since the epoch) at which `party`'s page asked for ICE servers. */
function iceServerFetches(party: Party): number[] {
  const times: number[] = [];
  party.page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/ice-servers/') times.push(Date.now());
  });
  return times;
}

/** The page's `[callhub rtc]` console lines. */
function rtcLog(party: Party): string[] {
  const lines: string[] = [];
  party.page.on('console', (message) => {
    if (message.text().startsWith('[callhub rtc]')) lines.push(message.text());
  });
  return lines;
}

test('media path broken and restored: both pages reconnect through an ICE restart', async ({ alice, bob, stack }) => {
  test.skip(noCoturn, 'needs coturn (/usr/bin/turnserver)');
  test.setTimeout(120_000);
  await stack.coturn.start();
  const { id, a } = await acceptedCall(alice, bob);
  const parties = [alice, bob];
  for (const party of parties) await expect(callState(party)).toHaveText('Connected', { timeout: 30_000 });
  const before = new Map<Party, Stats>();
  for (const party of parties) before.set(party, await mediaGrows(party.page, 20_000));
  const fetches = new Map(parties.map((party) => [party, iceServerFetches(party)] as const));
  const callerLog = rtcLog(alice);

  const broken = Date.now();
  await stack.coturn.stop();
  for (const party of parties) {
    await expect(callState(party)).toHaveText('Reconnecting…', { timeout: 10_000 });
    console.log(`[recovery] ${party.name}: reconnecting shown ${Date.now() - broken} ms after coturn stopped`);
  }
  await snap(alice.page, 'call-reconnecting');
  // Down long enough for the caller's first ICE restart to find no relay.
  await alice.page.waitForTimeout(6_000);
  await expect(callState(alice)).toHaveText('Reconnecting…');

  const restored = Date.now();
  await stack.coturn.start();
  await Promise.all(
    parties.map(async (party) => {
      await mediaGrows(party.page, 30_000, before.get(party));
      console.log(`[recovery] ${party.name}: media flowing again ${Date.now() - restored} ms after coturn restarted`);
    }),
  );
  const recovered = Date.now() - restored;
  expect(recovered).toBeLessThan(RECOVERY_BOUND_MS);

  for (const party of parties) {
    await expect(callState(party)).toHaveText('Connected');
    const now = (await stats(party.page))!;
    expect(now.localCandidateType).toBe('relay');
    expect(now.remoteCandidateType).toBe('relay');
    // Fresh TURN credentials were fetched after the break, before the restart that worked.
    expect(fetches.get(party)!.filter((t) => t > broken).length, `${party.name} refetched ICE servers`).toBeGreaterThan(0);
  }
  expect(callerLog.some((line) => line.includes('restarting ICE')), callerLog.join('\n')).toBe(true);
  // The same call all along.
  const call = await (await api(alice.page.request, a, 'GET', `/api/calls/${id}/`)).json();
  expect(call.status).toBe('accepted');
  await expect(alice.page).toHaveURL(new RegExp(`/call/${id}$`));
});

test('relay-only with the TURN relay unreachable says why, and connects once it answers', async ({ alice, bob, stack }) => {
  test.skip(noCoturn, 'needs coturn (/usr/bin/turnserver)');
  test.setTimeout(120_000);
  await stack.coturn.stop();
  let opened = 0;
  try {
    // The server still hands out TURN credentials for a relay that does not answer.
    opened = Date.now();
    await acceptedCall(alice, bob);
    for (const party of [alice, bob]) {
      await expect(party.page.getByTestId('link-error')).toContainText('TURN relay cannot be reached', {
        timeout: 20_000,
      });
      console.log(`[recovery] ${party.name}: unreachable relay explained ${Date.now() - opened} ms after opening the call`);
      await expect(callState(party)).not.toHaveText('Connected');
    }
    await snap(alice.page, 'call-relay-unreachable');
  } finally {
    await stack.coturn.start();
  }
  const back = Date.now();
  for (const party of [alice, bob]) {
    await expect(callState(party)).toHaveText('Connected', { timeout: 30_000 });
    await expect(party.page.getByTestId('link-error')).toHaveCount(0);
  }
  console.log(`[recovery] connected ${Date.now() - back} ms after the relay answered`);
  for (const party of [alice, bob]) await mediaGrows(party.page, 20_000);
});

test('the server restarted mid-call: both pages rejoin the room and media goes on', async ({ alice, bob, stack }) => {
  test.setTimeout(120_000);
  // Direct: the media path does not involve the server at all.
  const { id, a } = await acceptedCall(alice, bob, true);
  const parties = [alice, bob];
  for (const party of parties) await expect(callState(party)).toHaveText('Connected', { timeout: 30_000 });
  for (const party of parties) await mediaGrows(party.page, 20_000);
  const logs = new Map(parties.map((party) => [party, rtcLog(party)] as const));

  const stopped = Date.now();
  await stack.server.stop('SIGTERM');
  expect(stack.server.log()).toContain('SIGTERM received');
  await stack.server.start();
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
