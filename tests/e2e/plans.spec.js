// Plans in a real browser: an admin makes a featured plan and schedules its next fee, a
// provider compares plans, subscribes through the test gateway (Stripe's stand-in), sees the
// new fee, schedules the move back to free at the period's end and calls it off again.
const { test, expect } = require('@playwright/test');
const { checkPage, logIn } = require('./helpers');

const PASSWORD = 'e2e-password-2026!';
const PROVIDER = { email: 'owner@plans-e2e.test', name: 'Plans Bakery' };
const PLAN = 'Spotlight';
// Its own network (see run.sh), so the suite's other sign-ups leave this one room.
const NETWORK = { 'X-E2E-Client': '198.51.100.30' };
test.use({ extraHTTPHeaders: NETWORK });
test.describe.configure({ mode: 'serial' });

test('an admin makes a featured plan and schedules its next fee', async ({ page: a }) => {
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await a.click('nav a:has-text("Plans")');
  await expect(a.locator('h1')).toHaveText('Plans');
  // A mistake keeps what was typed and says what is wrong.
  await a.fill('#f-name', PLAN);
  await a.fill('#f-monthly_price', '25.x');
  await a.click('button:has-text("Create plan")');
  await expect(a.locator('.error-summary')).toContainText('Enter');
  await expect(a.locator('#f-name')).toHaveValue(PLAN);
  await checkPage(a, 'admin-plans-error');
  await a.fill('#f-monthly_price', '25');
  await a.check('input[name=featured]');
  await a.fill('#f-percent', '1.5');
  await a.click('button:has-text("Create plan")');
  await expect(a.locator('h1')).toHaveText(`Plan: ${PLAN}`);
  await expect(a.locator('#versions')).toContainText('1.5% per invoice, plus VAT');
  const later = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  await a.fill('#f-starts_on', later);
  await a.fill('#f-percent', '1');
  await a.click('button:has-text("Add version")');
  await expect(a.locator('.alert-ok')).toContainText('New fee from');
  await expect(a.locator('#versions tbody tr').first()).toContainText('Scheduled');
  await checkPage(a, 'admin-plan');
  await a.goto('/admin/plans');
  await expect(a.locator('#plans')).toContainText(PLAN);
  await expect(a.locator('#plans')).toContainText('£25.00');
  await checkPage(a, 'admin-plans');
});

test('a provider subscribes, sees the new fee, and keeps the plan after scheduling its end', async ({ page: p }) => {
  await p.goto('/signup/provider');
  await p.fill('#f-name', 'Plans Owner');
  await p.fill('#f-email', PROVIDER.email);
  await p.fill('#f-password', PASSWORD);
  await p.fill('#f-provider_name', PROVIDER.name);
  await p.check('input[name=categories][value=bakery]');
  await p.check('input[name=delivery_days][value="1"]');
  await p.fill('#f-delivery_areas', 'SE1');
  await p.fill('#f-min_order_value', '10');
  await p.click('button:has-text("Create account")');
  await expect(p.locator('.alert-ok')).toContainText('Welcome to Larder');

  await p.click('nav a:has-text("Plan")');
  await expect(p.locator('h1')).toHaveText('Your plan');
  await expect(p.locator('#current-plan')).toHaveText('Free');
  await expect(p.locator('#plans')).toContainText(PLAN);
  await checkPage(p, 'provider-plan');
  await p.click(`button[aria-label="Switch to ${PLAN}"]`);
  await expect(p.locator('h1')).toHaveText('Test subscription checkout');
  await checkPage(p, 'plan-test-checkout');
  await p.click('button:has-text("Subscribe for £25.00 a month")');
  await expect(p.locator('.alert-ok')).toContainText('Subscribed');
  await expect(p.locator('#current-plan')).toHaveText(PLAN);
  await expect(p.locator('#current-fee')).toHaveText('1.5% per invoice, plus VAT');
  await expect(p.locator('#plan-status')).toContainText('Paid monthly');

  await p.click('button[aria-label="Switch to Free"]');
  await expect(p.locator('.alert-ok')).toContainText(`you keep ${PLAN} until`);
  await expect(p.locator('#plan-next')).toContainText('You move to Free on');
  await checkPage(p, 'provider-plan-ending');
  await p.click(`button:has-text("Keep ${PLAN}")`);
  await expect(p.locator('.alert-ok')).toContainText(`you stay on ${PLAN}`);
  await expect(p.locator('#plan-next')).toHaveCount(0);
});
