import { test, expect, snap } from './fixtures';
import { api } from './app-helpers';
import { mediaGrows, videoCall } from './relay-helpers';

// The per-call report (issue 19): after a real call between two browsers ends, each side has
// posted its report and the history row shows both, with the figures in an expandable part.

test('after a call ends the history row shows both sides\' reports', async ({ alice, bob }) => {
  const { a, b, id } = await videoCall(alice, bob);
  await mediaGrows(bob.page, 20_000);
  // Graded at least once on both sides: the reports have intervals to average.
  for (const party of [alice, bob]) {
    await expect
      .poll(() => party.page.getByTestId('quality-local').getAttribute('data-grade'), { timeout: 20_000 })
      .toMatch(/^(good|fair|poor)$/);
  }

  await bob.page.getByTestId('hangup-button').click();
  for (const party of [alice, bob]) {
    await expect(party.page).toHaveURL(/\/contacts$/);
  }

  // Both reports reach the server (posted in the background as each page leaves the call).
  await expect
    .poll(async () => {
      const response = await api(alice.page.request, a, 'GET', `/api/calls/${id}/`);
      return ((await response.json()).reports ?? []).length;
    }, { timeout: 10_000 })
    .toBe(2);
  const call = await (await api(alice.page.request, a, 'GET', `/api/calls/${id}/`)).json();
  for (const report of call.reports) {
    // Loopback host candidates: direct, nothing hidden, a round trip measured.
    expect(report.path).toBe('direct');
    expect(report.ip_hidden).toBe(false);
    expect(report.samples).toBeGreaterThan(0);
    expect(report.avg_rtt_ms).not.toBeNull();
    expect(report.reconnects).toBe(0);
  }
  // Neither report was refused (bob's contacts page may have confirmed the ringing after the
  // REST accept, a 409 that is not this spec's business).
  for (const party of [alice, bob]) {
    expect(party.refused.filter((r) => r.includes('/report/'))).toEqual([]);
  }

  for (const [party, other] of [[alice, b.username], [bob, a.username]] as const) {
    await party.page.goto('/history');
    const row = party.page.getByTestId('history-row').first();
    await expect(row).toHaveAttribute('data-call-id', String(id));
    const lines = row.getByTestId('call-report-line');
    await expect(lines).toHaveCount(2);
    await expect(lines.nth(0)).toHaveText(/^You: Direct · \d+ ms · \d+\.\d% loss · worst: (good|fair|poor)/);
    await expect(lines.nth(1)).toHaveText(new RegExp(`^${other}: Direct · \\d+ ms`));
    const details = row.getByTestId('call-report-details');
    await details.locator('summary').click();
    await expect(details.locator('table')).toBeVisible();
    await expect(details.locator('th[scope="col"]')).toHaveText(['You', other]);
    await expect(details.getByRole('row', { name: /Media path/ })).toContainText('Direct');
    await snap(party.page, `history-call-report-${party.name}`);
  }
});
