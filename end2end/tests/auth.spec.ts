import { test, expect, waitForHydration, snap } from './fixtures';
import { PASSWORD, uniqueName } from './app-helpers';

test('sign up shows field errors, signs in, signs out, and signs in again', async ({ page }) => {
  const username = uniqueName('sam');

  // Pages that need a user send visitors to sign in.
  await page.goto('/contacts');
  await waitForHydration(page);
  await expect(page).toHaveURL(/\/signin$/);

  await page.goto('/');
  await waitForHydration(page);
  await page.getByTestId('home-signup').click();
  await expect(page).toHaveURL(/\/signup$/);

  await page.getByTestId('signup-username').fill(username);
  await page.getByTestId('signup-email').fill('not-an-email');
  await page.getByTestId('signup-password').fill(PASSWORD);
  await page.getByTestId('signup-password_confirm').fill(`${PASSWORD}x`);
  await page.getByTestId('signup-submit').click();
  // The server's field errors appear next to their fields.
  await expect(page.getByTestId('signup-email-error')).not.toBeEmpty();
  await expect(page.getByTestId('signup-password_confirm-error')).not.toBeEmpty();
  await expect(page.getByTestId('signup-email')).toHaveAttribute('aria-invalid', 'true');
  await snap(page, 'signup-errors');

  await page.getByTestId('signup-email').fill(`${username}@example.test`);
  await page.getByTestId('signup-password_confirm').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();

  // Signed in automatically.
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByTestId('nav-username')).toHaveText(username);
  await expect(page.getByTestId('socket-status')).toHaveAttribute('data-connected', 'true');
  await snap(page, 'contacts-empty-or-list');

  // A reload keeps the session (tokens in localStorage, checked with /api/users/me/).
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('nav-username')).toHaveText(username);

  // Sign out.
  await page.getByTestId('signout').click();
  await expect(page).toHaveURL(/\/signin$/);
  expect(await page.evaluate(() => localStorage.getItem('callhub.refresh'))).toBeNull();
  await expect(page.getByTestId('nav-signin')).toBeVisible();

  // Wrong password: one generic message.
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill('wrong-password-1');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toHaveText('Incorrect username or password.');
  await snap(page, 'signin-error');

  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByTestId('nav-username')).toHaveText(username);

  // Signed in, "/" goes straight to the contacts.
  await page.goto('/');
  await expect(page).toHaveURL(/\/contacts$/);
});
