import { test, expect, snap } from './fixtures';
import { api, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

// scripts/test starts the e2e server with RING_TIMEOUT_SECS=5.
test('an unanswered call stops ringing, becomes missed and shows in the badge and history', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  await expect(bob.page.getByTestId('missed-badge')).toHaveCount(0);

  const started = await api(alice.page.request, a, 'POST', '/api/calls/', { receiver: b.id, call_type: 'audio' });
  expect(started.status()).toBe(201);
  const callId = String((await started.json()).id);

  await expect(bob.page.getByTestId('incoming-call')).toHaveAttribute('data-call-id', callId);
  // Nobody answers: the server times the call out, the overlay goes, the badge counts it.
  await expect(bob.page.getByTestId('incoming-call')).toHaveCount(0, { timeout: 50_000 });
  await expect(bob.page.getByTestId('missed-badge')).toHaveText('1');
  await snap(bob.page, 'missed-badge');

  await bob.page.getByTestId('nav-history').click();
  await expect(bob.page).toHaveURL(/\/history$/);
  const all = bob.page.locator(`[data-testid="history-row"][data-call-id="${callId}"]`);
  await expect(all).toHaveAttribute('data-status', 'missed');
  await expect(all.getByTestId('history-direction')).toContainText('Incoming');
  await expect(all.getByTestId('history-party')).toHaveText(a.username);
  await expect(all.getByTestId('history-reason')).toHaveText('No answer');

  await bob.page.getByTestId('tab-missed').click();
  await expect(bob.page.getByTestId('tab-missed')).toHaveAttribute('aria-selected', 'true');
  await expect(bob.page.locator(`[data-testid="history-row"][data-call-id="${callId}"]`)).toBeVisible();
  // Seeing the missed calls clears the badge.
  await expect(bob.page.getByTestId('missed-badge')).toHaveCount(0);
  await snap(bob.page, 'history-missed');
  const count = await (await api(bob.page.request, b, 'GET', '/api/calls/missed/count/')).json();
  expect(count.count).toBe(0);
});
