import { test, expect, snap } from './fixtures';
import { findContact, findPeopleRow, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

test('contacts show who is online, pushed live as people open and close the app', async ({ alice, bob }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(bob.page.request, 'bob');

  await openSignedIn(alice.page, a);
  // Bob has never opened the app: offline.
  let row = await findContact(alice.page, b.username);
  await expect(row.getByTestId('presence')).toHaveAttribute('data-online', 'false');

  await waitForSocket(alice.page);

  // Bob opens the app: his user socket makes him online, and Alice's list follows at once
  // (pushed, not polled: well within the timeout).
  await openSignedIn(bob.page, b);
  await waitForSocket(bob.page);
  row = findPeopleRow(alice.page, b.username);
  await expect(row.getByTestId('presence')).toHaveAttribute('data-online', 'true', { timeout: 5_000 });
  await expect(row.getByTestId('last-seen')).toHaveText('Online');
  await expect(row.getByTestId('call-video')).toBeVisible();
  await expect(row.getByTestId('call-audio')).toBeVisible();
  await snap(alice.page, 'contacts-online');

  // Bob closes the app: after the reload grace (5 s) he is offline on Alice's screen.
  await bob.page.close();
  await expect(row.getByTestId('presence')).toHaveAttribute('data-online', 'false', { timeout: 12_000 });
  await expect(row.getByTestId('last-seen')).not.toHaveText('Online');

  // Searching for nobody.
  await alice.page.getByTestId('contact-search').fill('nobody-has-this-name');
  await expect(alice.page.getByTestId('contacts-empty')).toBeVisible();
});
