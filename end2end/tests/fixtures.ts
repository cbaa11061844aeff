import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One person at one browser: an isolated context (own storage, own fake camera and microphone). */
export interface Party {
  name: string;
  context: BrowserContext;
  page: Page;
  /** API requests of this party's pages that the server refused ("409 POST /api/..."). */
  refused: string[];
}

/** `options` add to the defaults (a colour scheme, a phone's viewport). */
export async function openParty(
  browser: Browser,
  baseURL: string,
  name: string,
  options: BrowserContextOptions = {},
): Promise<Party> {
  const context = await browser.newContext({ baseURL, permissions: ['camera', 'microphone'], ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
  const refused: string[] = [];
  // Each would show as a failed request in the browser's console.
  context.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname.startsWith('/api/')) {
      refused.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
    }
  });
  return { name, context, page, refused };
}

/** Waits until the WASM bundle has hydrated the server-rendered page. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.getByTestId('hydration')).toHaveText('ready');
}

/** Saves a screenshot of a key view under end2end/screenshots/. */
export async function snap(page: Page, name: string): Promise<void> {
  const dir = path.join(__dirname, '..', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export const test = base.extend<{ alice: Party; bob: Party }>({
  alice: async ({ browser, baseURL }, use) => {
    const party = await openParty(browser, baseURL!, 'alice');
    await use(party);
    await party.context.close();
  },
  bob: async ({ browser, baseURL }, use) => {
    const party = await openParty(browser, baseURL!, 'bob');
    await use(party);
    await party.context.close();
  },
});

export { expect };
