import { test, expect, snap } from './fixtures';
import { api, callInProgress, findContact, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

test('alice video-calls bob: his overlay rings, he accepts, both go to the call page', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  await openSignedIn(alice.page, a);

  const row = await findContact(alice.page, b.username);
  await row.getByTestId('call-video').click();
  await expect(alice.page).toHaveURL(/\/call\/\d+$/);
  const callId = alice.page.url().match(/\/call\/(\d+)$/)![1];

  const overlay = bob.page.getByTestId('incoming-call');
  await expect(overlay).toBeVisible();
  await expect(overlay).toHaveAttribute('data-call-id', callId);
  await expect(bob.page.getByTestId('incoming-caller')).toHaveText(a.username);
  await expect(bob.page.getByTestId('incoming-type')).toContainText('video');
  await expect(overlay).toHaveAttribute('data-ringtone', 'playing');
  await expect(bob.page.getByTestId('accept-call')).toBeFocused();
  await snap(bob.page, 'incoming-call');

  // The receiver's device confirmed it rings.
  await expect
    .poll(async () => (await (await api(bob.page.request, b, 'GET', `/api/calls/${callId}/`)).json()).status)
    .toMatch(/ringing|accepted/);

  await bob.page.getByTestId('accept-call').click();
  await expect(bob.page).toHaveURL(new RegExp(`/call/${callId}$`));
  await expect(overlay).toHaveCount(0);
  const call = await (await api(bob.page.request, b, 'GET', `/api/calls/${callId}/`)).json();
  expect(call.status).toBe('accepted');
  await expect(alice.page).toHaveURL(new RegExp(`/call/${callId}$`));
  for (const party of [alice, bob]) {
    await expect(party.page.getByTestId('call-state')).toHaveText('Connected', { timeout: 30_000 });
  }
  // Starting, ringing and answering a call through the app: no request the server refuses.
  expect(alice.refused).toEqual([]);
  expect(bob.refused).toEqual([]);
});

test('bob declines: the call is rejected and his overlay goes away', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  await openSignedIn(alice.page, a);

  const row = await findContact(alice.page, b.username);
  await row.getByTestId('call-audio').click();
  await expect(alice.page).toHaveURL(/\/call\/\d+$/);
  const callId = alice.page.url().match(/\/call\/(\d+)$/)![1];

  await expect(bob.page.getByTestId('incoming-type')).toContainText('audio');
  await bob.page.getByTestId('decline-call').click();
  await expect(bob.page.getByTestId('incoming-call')).toHaveCount(0);
  await expect(bob.page).toHaveURL(/\/contacts$/);

  await expect
    .poll(async () => (await (await api(alice.page.request, a, 'GET', `/api/calls/${callId}/`)).json()).status)
    .toBe('rejected');
  await snap(alice.page, 'caller-after-decline');
});

test('every open tab of bob rings; answering in one stops the other', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  const second = await bob.context.newPage();
  await openSignedIn(second, b, '/history');
  await waitForSocket(second);

  // Alice calls through the API: this test is about bob's tabs.
  const started = await api(alice.page.request, a, 'POST', '/api/calls/', { receiver: b.id, call_type: 'video' });
  expect(started.status()).toBe(201);
  const callId = String((await started.json()).id);

  for (const tab of [bob.page, second]) {
    await expect(tab.getByTestId('incoming-call')).toHaveAttribute('data-call-id', callId);
  }
  await snap(second, 'incoming-call-second-tab');

  await second.getByTestId('accept-call').click();
  await expect(second).toHaveURL(new RegExp(`/call/${callId}$`));
  // The other tab learns from its user socket that the call was answered.
  await expect(bob.page.getByTestId('incoming-call')).toHaveCount(0);
  await expect(bob.page).toHaveURL(/\/contacts$/);
  // Both tabs confirmed the ring; the second confirmation is not an error.
  expect(bob.refused).toEqual([]);
});

test('calling someone who is in another call shows that they are busy', async ({ alice, bob, browser, baseURL }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  const carolContext = await browser.newContext({ baseURL });
  try {
    const carolPage = await carolContext.newPage();
    const c = await registerViaApi(carolPage.request, 'carol');

    // Bob is in a call with Carol (set up through the API).
    const live = await callInProgress(carolPage.request, c, bob.page.request, b);

    await openSignedIn(alice.page, a);
    const row = await findContact(alice.page, b.username);
    await row.getByTestId('call-video').click();
    await expect(alice.page.getByTestId('call-error')).toContainText(`${b.username} is busy in another call`);
    await expect(alice.page).toHaveURL(/\/contacts$/);
    await snap(alice.page, 'contacts-busy');

    await api(bob.page.request, b, 'POST', `/api/calls/${live.id}/end/`);
  } finally {
    await carolContext.close();
  }
});

test('glare: alice and bob call each other at the same moment and get one call', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(alice.page, a);
  await openSignedIn(bob.page, b);
  await waitForSocket(alice.page);
  await waitForSocket(bob.page);
  const toBob = (await findContact(alice.page, b.username)).getByTestId('call-audio');
  const toAlice = (await findContact(bob.page, a.username)).getByTestId('call-audio');

  // Dispatched, not clicked: a click waits until nothing covers the button, and the first call's
  // incoming overlay would cover it on the other page, so the two would no longer race.
  await Promise.all([toBob.dispatchEvent('click'), toAlice.dispatchEvent('click')]);

  // Both land on the same call: whoever came second was handed the call already ringing.
  await expect(alice.page).toHaveURL(/\/call\/\d+$/);
  await expect(bob.page).toHaveURL(/\/call\/\d+$/);
  const id = alice.page.url().match(/\/call\/(\d+)$/)![1];
  expect(bob.page.url()).toMatch(new RegExp(`/call/${id}$`));
  const active = await (await api(alice.page.request, a, 'GET', '/api/calls/active/')).json();
  expect(active.map((call: { id: number }) => call.id)).toEqual([Number(id)]);
  await snap(bob.page, 'glare');
});
