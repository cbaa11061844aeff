import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { waitForHydration } from './fixtures';

/** A password Django's validators accept and that is not similar to the generated usernames. */
export const PASSWORD = 'Tangerine-Orbit-93';

/** A username no other test (or earlier run against the same server) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export interface Account {
  id: number;
  username: string;
  access: string;
  refresh: string;
}

/** Registers through the REST API and signs in (fast path for tests that are not about sign-up). */
export async function registerViaApi(request: APIRequestContext, prefix: string): Promise<Account> {
  const username = uniqueName(prefix);
  const created = await request.post('/api/users/', {
    data: { username, email: `${username}@example.test`, password: PASSWORD, password_confirm: PASSWORD },
  });
  expect(created.status(), await created.text()).toBe(201);
  const user = await created.json();
  const tokens = await request.post('/api/token/', { data: { username, password: PASSWORD } });
  expect(tokens.status()).toBe(200);
  const { access, refresh } = await tokens.json();
  return { id: user.id, username, access, refresh };
}

/** Opens the app in `page` already signed in as `account` (tokens put where the app keeps them). */
export async function openSignedIn(page: Page, account: Account, path = '/contacts'): Promise<void> {
  await page.goto('/');
  await waitForHydration(page);
  await page.evaluate(({ access, refresh }) => {
    localStorage.setItem('callhub.access', access);
    localStorage.setItem('callhub.refresh', refresh);
  }, account);
  await page.goto(path);
  await waitForHydration(page);
  await expect(page.getByTestId('nav-username')).toHaveText(account.username);
}

/** Waits until this tab's user socket is authenticated: from then on, calls ring here. */
export async function waitForSocket(page: Page): Promise<void> {
  await expect(page.getByTestId('socket-status')).toHaveAttribute('data-connected', 'true');
}

/** An authenticated REST call as `account`. */
export async function api(
  request: APIRequestContext,
  account: Account,
  method: 'GET' | 'POST',
  path: string,
  data?: unknown,
) {
  const headers = { Authorization: `Bearer ${account.access}` };
  return method === 'GET'
    ? request.get(path, { headers })
    : request.post(path, { headers, data });
}

/** The row of `username` under "Find people" on the contacts page (searching for it). */
export async function findContact(page: Page, username: string) {
  await page.getByTestId('contact-search').fill(username);
  const row = findPeopleRow(page, username);
  await expect(row).toBeVisible();
  return row;
}

/** The row of `username` in the "Find people" results. */
export function findPeopleRow(page: Page, username: string) {
  return page.getByTestId('find-people').locator(`[data-testid="contact"][data-username="${username}"]`);
}

/** The row of `username` in "My contacts". */
export function myContactRow(page: Page, username: string) {
  return page.getByTestId('my-contacts').locator(`[data-testid="contact"][data-username="${username}"]`);
}

/** `caller` calls `receiver`, who accepts, through the API: a call in progress (to make
 * `receiver` busy). */
export async function callInProgress(
  callerRequest: APIRequestContext,
  caller: Account,
  receiverRequest: APIRequestContext,
  receiver: Account,
) {
  const started = await api(callerRequest, caller, 'POST', '/api/calls/', { receiver: receiver.id, call_type: 'audio' });
  expect(started.status()).toBe(201);
  const live = await started.json();
  expect((await api(receiverRequest, receiver, 'POST', `/api/calls/${live.id}/accept/`)).status()).toBe(200);
  return live;
}
