import { test, expect, snap } from './fixtures';
import { api, callInProgress, findContact, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';
import { clickNotification, notifications, personContext, setHidden, workerReady } from './notify-helpers';

// Issue 23: when nobody answers. scripts/test starts the e2e server with RING_TIMEOUT_SECS=5.

test('a caller leaves a message on an unanswered call; the receiver plays it and it is heard', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  await openSignedIn(alice.page, a);
  await waitForSocket(alice.page);

  const row = await findContact(alice.page, b.username);
  await row.getByTestId('call-audio').click();
  await expect(alice.page).toHaveURL(/\/call\/\d+$/);
  const callId = alice.page.url().match(/\/call\/(\d+)$/)![1];

  // Nobody answers: the ring timeout ends it, and the caller is offered a message.
  await expect(alice.page.getByTestId('call-outcome')).toHaveText('No answer', { timeout: 30_000 });
  const recorder = alice.page.getByTestId('leave-message');
  await expect(recorder).toHaveAttribute('data-state', 'idle');
  await recorder.getByTestId('message-record').click();
  await expect(recorder).toHaveAttribute('data-state', 'recording');
  await expect(recorder.getByTestId('message-countdown')).toContainText(/0:(30|29|28) left/);
  await alice.page.waitForTimeout(2_500);
  await expect(recorder.getByTestId('message-countdown')).toContainText(/0:2\d left/);
  await snap(alice.page, 'voicemail-recording');
  await recorder.getByTestId('message-stop').click();
  await expect(recorder).toHaveAttribute('data-state', 'recorded');
  await expect(recorder.getByTestId('message-preview')).toBeVisible();
  await expect(recorder.getByTestId('message-record')).toHaveText('Record again');
  await snap(alice.page, 'voicemail-recorded');
  await recorder.getByTestId('message-send').click();
  await expect(recorder.getByTestId('message-sent')).toBeVisible();
  await snap(alice.page, 'voicemail-sent');

  // The receiver: the missed call, its message with its length, a player.
  await bob.page.getByTestId('nav-history').click();
  await bob.page.getByTestId('tab-missed').click();
  const missed = bob.page.locator(`[data-testid="history-row"][data-call-id="${callId}"]`);
  const message = missed.getByTestId('call-message');
  await expect(message).toHaveAttribute('data-heard', 'false');
  // The length the recorder measured (about 2.5 s, more when the machine is slow to click Stop).
  const left = (await (await api(bob.page.request, b, 'GET', '/api/calls/messages/')).json())[0];
  expect(left.duration_ms).toBeGreaterThan(2_000);
  const seconds = Math.max(1, Math.round(left.duration_ms / 1000));
  await expect(message.getByTestId('message-length')).toHaveText(`00:${String(seconds).padStart(2, '0')}`);
  await snap(bob.page, 'voicemail-unheard');
  await message.getByTestId('message-play').click();
  const player = message.getByTestId('message-player');
  await expect(player).toBeVisible();
  // Playback advances.
  await expect.poll(() => player.evaluate((el: HTMLMediaElement) => el.currentTime), { timeout: 10_000 })
    .toBeGreaterThan(0.3);
  await expect(message).toHaveAttribute('data-heard', 'true');
  await snap(bob.page, 'voicemail-played');

  const heard = (await (await api(bob.page.request, b, 'GET', '/api/calls/messages/')).json())[0];
  expect(heard.call_id).toBe(Number(callId));
  expect(heard.heard_at).not.toBeNull();
});

test('a call to a busy person with "tell me" set: when their call ends the caller is told and one click rings them', async ({ alice, bob, browser, baseURL }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  const carolContext = await browser.newContext({ baseURL });
  try {
    const carolPage = await carolContext.newPage();
    const c = await registerViaApi(carolPage.request, 'carol');
    await openSignedIn(bob.page, b);
    await waitForSocket(bob.page);

    // Bob is in a call with Carol.
    const live = await callInProgress(carolPage.request, c, bob.page.request, b);

    await openSignedIn(alice.page, a);
    await waitForSocket(alice.page);
    const row = await findContact(alice.page, b.username);
    await row.getByTestId('call-audio').click();
    await expect(alice.page.getByTestId('call-error')).toContainText(`${b.username} is busy in another call`);
    await alice.page.getByTestId('tell-me').click();
    await expect(alice.page.getByTestId('watching')).toContainText(`when ${b.username} is free`);
    await snap(alice.page, 'voicemail-tell-me');

    // Their call ends: alice's tab says so at once.
    expect((await api(carolPage.request, c, 'POST', `/api/calls/${live.id}/end/`)).status()).toBe(200);
    const notice = alice.page.getByTestId('available-notice');
    await expect(notice).toContainText(`${b.username} is free now`, { timeout: 10_000 });
    await snap(alice.page, 'voicemail-free-now');

    // One click rings them.
    await notice.getByTestId('available-call').click();
    await expect(alice.page).toHaveURL(/\/call\/\d+$/);
    await expect(bob.page.getByTestId('incoming-call')).toBeVisible();
    await expect(notice).toHaveCount(0);
    const id = alice.page.url().match(/\/call\/(\d+)$/)![1];
    await api(alice.page.request, a, 'POST', `/api/calls/${id}/cancel/`);
  } finally {
    await carolContext.close();
  }
});

test('in a hidden page the notice is a notification, and clicking it rings them', async ({ alice, bob, browser, baseURL }) => {
  const context = await personContext(browser, baseURL!);
  const page = await context.newPage();
  try {
    const a = await registerViaApi(page.request, 'alice');
    const b = await registerViaApi(bob.page.request, 'bob');
    const c = await registerViaApi(alice.page.request, 'carol');
    await openSignedIn(bob.page, b);
    await waitForSocket(bob.page);
    const live = await callInProgress(alice.page.request, c, bob.page.request, b);

    await openSignedIn(page, a);
    await waitForSocket(page);
    await workerReady(page);
    expect((await api(page.request, a, 'POST', '/api/availability/', { user_id: b.id })).status()).toBe(201);
    await setHidden(page, true);
    expect((await api(alice.page.request, c, 'POST', `/api/calls/${live.id}/end/`)).status()).toBe(200);
    await expect
      .poll(() => notifications(page), { timeout: 10_000 })
      .toEqual([{ tag: `available-${b.id}`, title: `${b.username} is free now`, body: 'Click to call them.', actions: [] }]);

    await clickNotification(context, `available-${b.id}`, '');
    await setHidden(page, false);
    await expect(page).toHaveURL(/\/call\/\d+$/);
    await expect(bob.page.getByTestId('incoming-call')).toBeVisible();
    const id = page.url().match(/\/call\/(\d+)$/)![1];
    await api(page.request, a, 'POST', `/api/calls/${id}/cancel/`);
  } finally {
    await context.close();
  }
});
