import { test, expect, snap } from './fixtures';
import { findContact, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

test('contacts show who is online once they have the app open', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');

  await openSignedIn(alice.page, a);
  // Bob has never opened the app: offline.
  let row = await findContact(alice.page, b.username);
  await expect(row.getByTestId('presence')).toHaveAttribute('data-online', 'false');

  // Bob opens the app: his user socket makes him online, and Alice's list follows.
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  row = alice.page.locator(`[data-testid="contact"][data-username="${b.username}"]`);
  await expect(row.getByTestId('presence')).toHaveAttribute('data-online', 'true', { timeout: 20_000 });
  await expect(row.getByTestId('last-seen')).toHaveText('Online');
  await expect(row.getByTestId('call-video')).toBeVisible();
  await expect(row.getByTestId('call-audio')).toBeVisible();
  await snap(alice.page, 'contacts-online');

  // Searching for nobody.
  await alice.page.getByTestId('contact-search').fill('nobody-has-this-name');
  await expect(alice.page.getByTestId('contacts-empty')).toBeVisible();
});
