import { test, expect, openParty, snap, waitForHydration } from './fixtures';
import { api, openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

// Languages (issue 21): English by default (Playwright's contexts are en-US), the browser's
// language on a first visit, a switch on the profile that applies at once and is kept per
// browser, server errors shown by their code, dates per locale.

test('switching the language on the profile changes the text, errors and dates at once', async ({ alice }) => {
  const a = await registerViaApi(alice.page.request, 'alice');
  const b = await registerViaApi(alice.page.request, 'bob');
  // A call in the history (cancelled at once), for a date to read.
  const started = await api(alice.page.request, a, 'POST', '/api/calls/', { receiver: b.id, call_type: 'video' });
  expect(started.status()).toBe(201);
  const callId = (await started.json()).id;
  expect((await api(alice.page.request, a, 'POST', `/api/calls/${callId}/cancel/`)).status()).toBe(200);

  const page = alice.page;
  await openSignedIn(page, a, '/profile');
  await expect(page.getByTestId('nav-contacts')).toHaveText('Contacts');
  await expect(page.locator('h1')).toHaveText('Profile');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('language-browser')).toBeChecked();

  await page.getByTestId('language-de').check();
  // No reload: the same page re-renders in German.
  await expect(page.getByTestId('nav-contacts')).toHaveText('Kontakte');
  await expect(page.locator('h1')).toHaveText('Profil');
  await expect(page.getByTestId('language-showing')).toHaveText('Angezeigt wird Deutsch.');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByTestId('hydration')).toHaveText('ready');
  await snap(page, 'i18n-profile-de');
  // The language cookie lets the server render the next page in German already, before the
  // wasm runs (and the browser hydrates in the same language).
  const html = await (await page.request.get('/signin')).text();
  expect(html).toContain('<html lang="de"');
  expect(html).toContain('Benutzername');
  expect(html).not.toContain('Username');

  // Kept on this browser: the history after a reload is German, its dates too (dd.mm.yyyy).
  await page.goto('/history');
  await waitForHydration(page);
  await expect(page.locator('h1')).toHaveText('Anrufverlauf');
  const row = page.locator(`[data-testid="history-row"][data-call-id="${callId}"]`);
  await expect(row.getByTestId('history-status')).toHaveText('Abgebrochen');
  await expect(row.locator('time')).toHaveText(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d$/);
  await expect(row.getByTestId('history-direction')).toContainText('Ausgehend');
  await snap(page, 'i18n-history-de');

  // French, from the nav's profile link (no reload): the date follows (dd/mm/yyyy).
  await page.getByTestId('nav-profile').click();
  await page.getByTestId('language-fr').check();
  await expect(page.getByTestId('nav-history')).toHaveText('Historique');
  await page.getByTestId('nav-history').click();
  await expect(page.locator('h1')).toHaveText('Historique des appels');
  await expect(row.locator('time')).toHaveText(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  await snap(page, 'i18n-history-fr');

  // Back to English: the US pattern ("Nov 30, 2026, 5:05 PM").
  await page.getByTestId('nav-profile').click();
  await page.getByTestId('language-en').check();
  await page.getByTestId('nav-history').click();
  await expect(page.locator('h1')).toHaveText('Call history');
  await expect(row.locator('time')).toHaveText(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M$/);

  // A server error by its code: a taken username on the sign-up form, in German. The server
  // still sends its English message; the page shows the catalogue's text for the code.
  await page.getByTestId('nav-profile').click();
  await page.getByTestId('language-de').check();
  await page.getByTestId('signout').click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.locator('h1')).toHaveText('Anmelden');
  await page.goto('/signup');
  await waitForHydration(page);
  await expect(page.locator('h1')).toHaveText('Konto erstellen');
  await page.getByTestId('signup-username').fill(a.username);
  await page.getByTestId('signup-email').fill(`${a.username}-2@example.test`);
  await page.getByTestId('signup-password').fill('Tangerine-Orbit-93');
  await page.getByTestId('signup-password_confirm').fill('Tangerine-Orbit-94');
  await page.getByTestId('signup-submit').click();
  // The form is checked before the name is looked up: first the mismatch, then the taken name.
  await expect(page.getByTestId('signup-password_confirm-error')).toHaveText(
    'Die Passwörter stimmen nicht überein.',
  );
  await page.getByTestId('signup-password_confirm').fill('Tangerine-Orbit-93');
  await page.getByTestId('signup-submit').click();
  await expect(page.getByTestId('signup-username-error')).toHaveText('Dieser Benutzername ist schon vergeben.');
  await snap(page, 'i18n-signup-error-de');
  // And a detail's code: wrong credentials on the sign-in form.
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByTestId('signin-username').fill(a.username);
  await page.getByTestId('signin-password').fill('wrong-password-1');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toHaveText('Benutzername oder Passwort ist falsch.');
});

test('a German browser sees German on its first visit', async ({ browser, baseURL }) => {
  const party = await openParty(browser, baseURL!, 'anna', { locale: 'de-DE' });
  const page = party.page;
  try {
    expect(await page.evaluate(() => navigator.languages[0])).toBe('de-DE');
    await page.goto('/');
    await waitForHydration(page);
    await expect(page.getByTestId('home-signup')).toHaveText('Konto erstellen');
    await expect(page.getByTestId('nav-signin')).toHaveText('Anmelden');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await snap(page, 'i18n-home-de');

    // Signed in: the contacts and the profile, German throughout.
    const account = await registerViaApi(page.request, 'anna');
    await openSignedIn(page, account, '/contacts');
    await expect(page.locator('h1')).toHaveText('Kontakte');
    await expect(page.getByTestId('contact-search')).toHaveAttribute('placeholder', 'Nach Namen suchen…');
    await snap(page, 'i18n-contacts-de');
    await page.getByTestId('nav-profile').click();
    await expect(page.getByTestId('language-browser')).toBeChecked();
    await expect(page.getByTestId('language-showing')).toHaveText('Angezeigt wird Deutsch.');
    await snap(page, 'i18n-profile-browser-de');

    // The ringing overlay, in German too.
    await waitForSocket(page);
    const caller = await registerViaApi(page.request, 'bert');
    const started = await api(page.request, caller, 'POST', '/api/calls/', {
      receiver: account.id,
      call_type: 'audio',
    });
    expect(started.status()).toBe(201);
    await expect(page.getByTestId('incoming-type')).toHaveText('Eingehender Audioanruf');
    await expect(page.getByTestId('accept-call')).toHaveText('Annehmen');
    await expect(page.getByTestId('accept-call')).toHaveAttribute(
      'aria-label',
      `Audioanruf von ${caller.username} annehmen`,
    );
    await snap(page, 'i18n-incoming-de');
    await page.getByTestId('decline-call').click();
    await expect(page.getByTestId('incoming-call')).toHaveCount(0);
  } finally {
    await party.context.close();
  }
});

test('a French browser sees French, and an unknown language English', async ({ browser, baseURL }) => {
  for (const [locale, heading, signIn] of [
    ['fr-FR', 'Créer un compte', 'Se connecter'],
    ['ja-JP', 'Create an account', 'Sign in'],
  ]) {
    const party = await openParty(browser, baseURL!, locale, { locale });
    try {
      await party.page.goto('/');
      await waitForHydration(party.page);
      await expect(party.page.getByTestId('home-signup')).toHaveText(heading);
      await expect(party.page.getByTestId('nav-signin')).toHaveText(signIn);
      if (locale === 'fr-FR') {
        await party.page.goto('/signin');
        await waitForHydration(party.page);
        await expect(party.page.locator('h1')).toHaveText('Se connecter');
        await snap(party.page, 'i18n-signin-fr');
      }
    } finally {
      await party.context.close();
    }
  }
});
