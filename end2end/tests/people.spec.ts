import { test, expect, snap } from './fixtures';
import {
  api,
  findContact,
  myContactRow,
  openSignedIn,
  registerViaApi,
  waitForSocket,
} from './app-helpers';

// scripts/test starts the e2e server with RING_TIMEOUT_SECS=5: an unanswered call is missed
// (the caller reads "No answer") after 5 s.

test('adding people from Find people puts them in My contacts, online and favourites first', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  const c = await registerViaApi(alice.page.request, 'carol');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);

  await openSignedIn(alice.page, a);
  await expect(alice.page.getByTestId('my-contacts-empty')).toBeVisible();
  await snap(alice.page, 'people-contacts-empty');

  // Carol first (offline), then Bob (online): Bob is listed first.
  for (const person of [c, b]) {
    const found = await findContact(alice.page, person.username);
    await found.getByTestId('add-contact').click();
    await expect(found.getByTestId('contact-added')).toBeVisible();
    await expect(myContactRow(alice.page, person.username)).toBeVisible();
  }
  const mine = alice.page.getByTestId('my-contact-list').getByTestId('contact');
  await expect(mine).toHaveCount(2);
  await expect(mine.first()).toHaveAttribute('data-username', b.username);
  await expect(myContactRow(alice.page, b.username).getByTestId('presence')).toHaveAttribute('data-online', 'true');
  await snap(alice.page, 'people-find');

  // A favourite goes above everyone, online or not.
  await myContactRow(alice.page, c.username).getByTestId('favourite').click();
  await expect(myContactRow(alice.page, c.username).getByTestId('favourite')).toHaveAttribute('aria-pressed', 'true');
  await expect(mine.first()).toHaveAttribute('data-username', c.username);

  // The order is the server's too, after a reload.
  await alice.page.reload();
  await expect(mine.first()).toHaveAttribute('data-username', c.username);
  await expect(mine.nth(1)).toHaveAttribute('data-username', b.username);
  await alice.page.getByTestId('contact-search').fill('nobody-has-this-name');
  await snap(alice.page, 'people-contacts');

  // Remove.
  await myContactRow(alice.page, b.username).getByTestId('remove-contact').click();
  await expect(myContactRow(alice.page, b.username)).toHaveCount(0);
  const list = await (await api(alice.page.request, a, 'GET', '/api/contacts/')).json();
  expect(list.map((x: { user: { id: number } }) => x.user.id)).toEqual([c.id]);
});

test('decline and block: the next call from that person does not ring, and they hear no answer', async ({ alice, bob }) => {
  test.setTimeout(120_000);
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(alice.page, a);
  await waitForSocket(alice.page);
  await openSignedIn(bob.page, b);

  await (await findContact(bob.page, a.username)).getByTestId('call-audio').click();
  await expect(bob.page).toHaveURL(/\/call\/\d+$/);

  const overlay = alice.page.getByTestId('incoming-call');
  await expect(overlay).toBeVisible();
  // The first click only asks; Back returns to the call as it was. (A call rings for 5 s here:
  // the question is looked at on this call, blocking done on the next.)
  await alice.page.getByTestId('decline-block').click();
  await expect(alice.page.getByTestId('confirm-block')).toContainText(`Block ${b.username}?`);
  await expect(alice.page.getByTestId('cancel-block')).toBeFocused();
  await snap(alice.page, 'people-decline-and-block');
  await alice.page.getByTestId('cancel-block').click();
  await expect(alice.page.getByTestId('confirm-block')).toHaveCount(0);

  await expect(overlay).toHaveCount(0, { timeout: 15_000 });
  const again = await api(bob.page.request, b, 'POST', '/api/calls/', { receiver: a.id, call_type: 'audio' });
  expect(again.status()).toBe(201);
  const againId = (await again.json()).id;
  await expect(overlay).toHaveAttribute('data-call-id', String(againId));
  await alice.page.getByTestId('decline-block').click();
  await alice.page.getByTestId('confirm-block-button').click();
  await expect(overlay).toHaveCount(0);
  // Blocking ends his ringing call as if unanswered: he is not told he was blocked.
  await bob.page.goto(`/call/${againId}`);
  await expect(bob.page.getByTestId('call-outcome')).toHaveText('No answer');

  // Bob calls again from his history: it rings nowhere, and after the ring timeout he reads
  // the same as for any unanswered call.
  await bob.page.goto('/history');
  await bob.page.getByTestId('history-row').first().getByTestId('call-back').click();
  await expect(bob.page).toHaveURL(/\/call\/\d+$/);
  const thirdId = Number(bob.page.url().match(/\/call\/(\d+)$/)![1]);
  await expect(bob.page.getByTestId('call-state')).toHaveText('Ringing…');
  await expect(bob.page.getByTestId('call-outcome')).toHaveText('No answer', { timeout: 15_000 });
  await expect(overlay).toHaveCount(0);
  // Alice gets no missed call for either (the first, unblocked one timed out: that one she has).
  const missed = await (await api(alice.page.request, a, 'GET', '/api/calls/missed/')).json();
  const missedIds = missed.map((call: { id: number }) => call.id);
  expect(missedIds).toHaveLength(1);
  expect(missedIds).not.toContain(againId);
  expect(missedIds).not.toContain(thirdId);

  // The profile lists him; Unblock lets him ring again.
  await alice.page.getByTestId('nav-profile').click();
  const entry = alice.page.locator(`[data-testid="blocked-user"][data-username="${b.username}"]`);
  await expect(entry).toBeVisible();
  await entry.scrollIntoViewIfNeeded();
  await snap(alice.page, 'people-blocked');
  await entry.getByTestId('unblock').click();
  await expect(entry).toHaveCount(0);
  await expect(alice.page.getByTestId('blocked-feedback')).toHaveText(`Unblocked ${b.username}.`);
  const started = await api(bob.page.request, b, 'POST', '/api/calls/', { receiver: a.id, call_type: 'audio' });
  expect(started.status()).toBe(201);
  await expect(overlay).toBeVisible();
});

test('contacts only: a stranger’s call does not ring and the stranger hears no answer', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(alice.page, a, '/profile');
  await waitForSocket(alice.page);
  await alice.page.getByTestId('who-can-call-contacts').check();
  await expect(alice.page.getByTestId('privacy-status')).toHaveText('Saved: only your contacts can call you.');
  await expect(alice.page.getByTestId('who-can-call-contacts')).toBeChecked();
  await snap(alice.page, 'people-profile-privacy');

  await openSignedIn(bob.page, b);
  await (await findContact(bob.page, a.username)).getByTestId('call-video').click();
  await expect(bob.page).toHaveURL(/\/call\/\d+$/);
  await expect(bob.page.getByTestId('call-outcome')).toHaveText('No answer', { timeout: 15_000 });
  await expect(alice.page.getByTestId('incoming-call')).toHaveCount(0);

  // A contact still gets through.
  const added = await api(alice.page.request, a, 'POST', '/api/contacts/', { user_id: b.id });
  expect(added.status()).toBe(201);
  const started = await api(bob.page.request, b, 'POST', '/api/calls/', { receiver: a.id, call_type: 'audio' });
  expect(started.status()).toBe(201);
  await expect(alice.page.getByTestId('incoming-call')).toBeVisible();
});

test('do not disturb: the call does not ring, the caller reads busy, the receiver finds it missed', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(alice.page, a, '/profile');
  await waitForSocket(alice.page);
  // A second tab of Alice's follows the change through privacy-changed.
  const other = await alice.context.newPage();
  await other.goto('/history');
  await waitForSocket(other);
  await expect(other.getByTestId('dnd-indicator')).toHaveCount(0);

  await alice.page.getByTestId('dnd-hour').click();
  await expect(alice.page.getByTestId('dnd-feedback')).toHaveText('Do not disturb is on.');
  await expect(alice.page.getByTestId('dnd-status')).toContainText('Do not disturb until');
  const indicator = alice.page.getByTestId('dnd-indicator');
  await expect(indicator).toBeVisible();
  await expect(indicator).toHaveAttribute('aria-label', /^Do not disturb until /);
  await expect(other.getByTestId('dnd-indicator')).toBeVisible();
  await snap(alice.page, 'people-dnd-indicator');

  await openSignedIn(bob.page, b);
  await (await findContact(bob.page, a.username)).getByTestId('call-audio').click();
  await expect(bob.page.getByTestId('call-error')).toContainText(`${a.username} is busy right now`);
  await expect(bob.page).toHaveURL(/\/contacts$/);
  await expect(alice.page.getByTestId('incoming-call')).toHaveCount(0);
  await expect(other.getByTestId('incoming-call')).toHaveCount(0);

  await alice.page.getByTestId('nav-history').click();
  await alice.page.getByTestId('tab-missed').click();
  const row = alice.page.getByTestId('history-row').first();
  await expect(row).toHaveAttribute('data-status', 'missed');
  await expect(row.getByTestId('history-party')).toHaveText(b.username);
  await expect(row.getByTestId('history-reason')).toHaveText('Do not disturb');
  // Bob is not a contact yet: one click from the history row.
  await row.getByTestId('add-contact').click();
  await expect(row.getByTestId('contact-added')).toBeVisible();

  // Turning it off (from the other tab) clears the indicator everywhere.
  await other.goto('/profile');
  await other.getByTestId('dnd-off').click();
  await expect(other.getByTestId('dnd-feedback')).toHaveText('Do not disturb is off.');
  await expect(indicator).toHaveCount(0);
  await expect(other.getByTestId('dnd-indicator')).toHaveCount(0);
});
