import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

// Notifications through our service worker, for the specs of pages in the background
// (notify.spec.ts, voicemail.spec.ts).

/** A browser context of one person with notifications allowed (or not). */
export async function personContext(browser: Browser, baseURL: string, notifications = true): Promise<BrowserContext> {
  const permissions = ['camera', 'microphone', ...(notifications ? ['notifications'] : [])];
  return browser.newContext({ baseURL, permissions });
}

/** Our service worker controls nothing yet on a first visit; its registration is what counts. */
export async function workerReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
}

/** Emulates the page going to the background (another tab in front) or coming back. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

export interface Shown {
  tag: string;
  title: string;
  body: string;
  actions: string[];
}

/** The notifications our worker's registration shows now. */
export async function notifications(page: Page): Promise<Shown[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({
      tag: n.tag,
      title: n.title,
      body: n.body,
      actions: ((n as unknown as { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
    }));
  });
}

/**
 * Clicks the notification tagged `tag` (on its button `action`, or its body for ''). Playwright
 * cannot click a system notification: the worker's click handler gets it as the browser would
 * hand it over. Outside a real click the browser refuses the focus itself, which is reported.
 */
export async function clickNotification(context: BrowserContext, tag: string, action: string): Promise<void> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const outcome = await worker.evaluate(
    async ({ tag, action }) => {
      const scope = self as any;
      const [notification] = await scope.registration.getNotifications({ tag });
      if (!notification) return 'no such notification';
      try {
        await scope.openFromNotification(notification, action);
        return 'focused';
      } catch (refused) {
        return `posted; focus refused (${(refused as Error).name})`;
      }
    },
    { tag, action },
  );
  expect(outcome).not.toBe('no such notification');
}
