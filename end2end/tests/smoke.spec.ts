import { type Page } from '@playwright/test';
import { test, expect, waitForHydration, snap } from './fixtures';
import { openSignedIn, registerViaApi, waitForSocket } from './app-helpers';

/** Collects the page's Content-Security-Policy violations, as Chromium reports them in the console. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return violations;
}

test('the start page is server-rendered, then hydrates and reacts to clicks', async ({ page }) => {
  // Without JavaScript the server-rendered HTML is already there.
  const response = await page.request.get('/');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('<h1>Callhub</h1>');
  expect(html).toContain('data-testid="hydration"');

  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

  const violations = cspViolations(page);
  await page.goto('/');
  await waitForHydration(page);
  await snap(page, 'smoke-home');
  // Only the hydrated app can answer this click: without it the form would simply reload.
  await page.getByTestId('home-signin').click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toHaveText('Enter your username and password.');
  expect(violations).toEqual([]);
});

test('signed-in pages and their sockets pass the Content-Security-Policy', async ({ page, request }) => {
  const account = await registerViaApi(request, 'csp');
  const violations = cspViolations(page);
  await openSignedIn(page, account, '/contacts');
  await waitForSocket(page);
  for (const path of ['/history', '/profile']) {
    await page.goto(path);
    await waitForHydration(page);
  }
  await waitForSocket(page);
  expect(violations).toEqual([]);
});

test('the API answers health checks', async ({ request }) => {
  const response = await request.get('/api/health/');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok', database: true });
});

test('two parties get independent contexts with fake camera and microphone', async ({ alice, bob }) => {
  for (const party of [alice, bob]) {
    await party.page.goto('/');
    await waitForHydration(party.page);
    const tracks = await party.page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const kinds = stream.getTracks().map((t) => t.kind).sort();
      stream.getTracks().forEach((t) => t.stop());
      return kinds;
    });
    expect(tracks).toEqual(['audio', 'video']);
  }
  // Separate contexts share no storage: what one user stores, the other never sees.
  await alice.page.evaluate(() => localStorage.setItem('who', 'alice'));
  expect(await bob.page.evaluate(() => localStorage.getItem('who'))).toBeNull();
});
