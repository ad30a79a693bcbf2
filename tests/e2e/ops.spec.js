// Operations in a real browser: a server error shows the person a reference, and an admin
// finds it on the health page with the job queue and the payment failure rate.
const { test, expect } = require('@playwright/test');
const { checkPage, logIn } = require('./helpers');

test('a server error is found on the health page by its reference', async ({ page: a }) => {
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  const failed = await a.goto('/test/fail');
  expect(failed.status()).toBe(500);
  const reference = (await a.locator('main code').first().textContent()).trim();
  expect(reference.length).toBeGreaterThan(8);
  await checkPage(a, 'server-error');
  // The error page of a failed request carries no navigation of its own.
  await a.goto('/admin');
  await a.click('nav a:has-text("Health")');
  await expect(a.locator('h1')).toHaveText('Health');
  await expect(a.locator('#server-errors')).toContainText('GET /test/fail');
  await expect(a.locator('#server-errors')).toContainText(reference);
  await expect(a.locator('#jobs-failed')).toBeVisible();
  await expect(a.locator('#payment-failure-rate')).toBeVisible();
  await checkPage(a, 'admin-health');
});

test('an admin reads the analytics for a range of weeks', async ({ page: a }) => {
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await a.click('nav a:has-text("Analytics")');
  await expect(a.locator('h1')).toHaveText('Analytics');
  // Events carry the database's time; the suite may have moved the app's clock, so ask for
  // a range around the real today. The browser suite has placed orders by now.
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  await a.goto(`/admin/analytics?from=${day(-700)}&to=${day(20)}`);
  expect(Number(await a.locator('#orders-total').textContent())).toBeGreaterThan(0);
  await expect(a.locator('#weekly svg[role="img"]')).toBeVisible();
  await expect(a.locator('#funnel')).toContainText('Placed a first order');
  // The suite's payments took fees through the journal; every range of it balances.
  await expect(a.locator('#fees')).not.toHaveText(/^£0\.00 /);
  await expect(a.locator('#trial-net')).toHaveText('£0.00');
  const download = a.waitForEvent('download');
  await a.click('a:has-text("Download the trial balance as CSV")');
  const csv = require('fs').readFileSync(await (await download).path(), 'utf8');
  expect(csv.trim().split('\n').pop()).toMatch(/^total,[0-9.]+,[0-9.]+,0\.00$/);
  await checkPage(a, 'admin-analytics');
  await a.fill('#a-from', '2026-03-01');
  await a.fill('#a-to', '2026-01-01');
  await a.click('button:has-text("Show")');
  await expect(a.locator('.alert-error')).toContainText('The start comes after the end.');
  await checkPage(a, 'admin-analytics-refused');
});
