// Plans in a real browser: an admin makes a featured plan and schedules its next fee, a
// provider compares plans, subscribes through the test gateway (Stripe's stand-in), sees the
// new fee, schedules the move back to free at the period's end and calls it off again; then
// a buyer's card payment is charged the new plan's fee, the worker issues Larder's monthly fee
// invoice when the app's clock reaches the next month, and the admin dashboard's fee revenue
// for the month matches the fee invoices.
const { test, expect } = require('@playwright/test');
const { checkPage, confirmEmail, logIn } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;
const PASSWORD = 'e2e-password-2026!';
const PROVIDER = { email: 'owner@plans-e2e.test', name: 'Plans Bakery' };
const BUYER = { email: 'cafe@plans-e2e.test', business: 'Plans Cafe' };
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

const pounds = (text) => Number(text.replace(/[£,]/g, ''));

// Every other scenario runs on the real clock.
test.afterAll(async ({ request }) => {
  await request.post('/test/clock', { form: { at: '' } });
});

test('a paid order carries the plan\'s fee, Larder invoices it monthly, and the dashboard agrees', async ({ browser }) => {
  const providerContext = await browser.newContext({ extraHTTPHeaders: NETWORK });
  const p = await providerContext.newPage();
  await logIn(p, PROVIDER.email, PASSWORD);
  await p.goto('/provider/products/new');
  await p.fill('#f-sku', 'PB-1');
  await p.fill('#f-name', 'Sourdough loaf');
  await p.selectOption('#f-category', 'bakery');
  await p.fill('#f-unit', 'each');
  await p.fill('#f-price', '40.00');
  await p.click('button:has-text("Save product")');
  await expect(p.locator('table')).toContainText('Sourdough loaf');
  await p.goto('/provider/payouts/settings');
  await p.click('button:has-text("Set up payouts with Stripe")');
  await p.click('button:has-text("Finish onboarding")');
  await expect(p.locator('#payout-status')).toHaveText('Ready');

  const buyerContext = await browser.newContext({ extraHTTPHeaders: NETWORK });
  const b = await buyerContext.newPage();
  await b.goto('/signup/buyer');
  await b.fill('#f-name', 'Cas Cafe');
  await b.fill('#f-email', BUYER.email);
  await b.fill('#f-password', PASSWORD);
  await b.fill('#f-business_name', BUYER.business);
  await b.fill('#f-address_line1', '7 Borough High Street');
  await b.fill('#f-city', 'London');
  await b.fill('#f-postcode', 'SE1 9QL');
  await b.click('button:has-text("Create account")');
  await expect(b).toHaveURL(/\/buyer$/);
  await confirmEmail(b, MAILDEV, BUYER.email);
  // The featured provider is in the spotlight above the results.
  await b.goto('/discover');
  await expect(b.locator('.spotlight')).toContainText(PROVIDER.name);
  await checkPage(b, 'discover-spotlight');
  await b.goto('/providers/plans-bakery');
  const row = b.locator('tr', { hasText: 'Sourdough loaf' });
  await row.locator('input[name=quantity]').fill('3');
  await row.locator('button:has-text("Add")').click();
  await expect(row.locator('.add-result')).toContainText('in your cart');
  await b.goto('/cart');
  await b.click('text=Checkout');
  await b.click('button:has-text("Place order")');
  await expect(b.locator('h1')).toHaveText(/^Order LD-\d{6}$/);

  await p.goto('/provider/orders');
  await p.click('td a:has-text("LD-")');
  await p.click('button:has-text("Confirm order")');
  await expect(p.locator('#order-status h2 .badge')).toHaveText('Confirmed');
  await p.fill('#received', 'Cas');
  await p.click('button:has-text("Mark delivered")');
  await expect(p.locator('#order-status')).toContainText('received by Cas');
  await p.reload();
  await p.click('button:has-text("Create invoice")');
  await p.click('button:has-text("Issue invoice")');
  await expect(p.locator('h1')).toHaveText(/^Invoice /);
  const number = (await p.locator('h1').textContent()).replace('Invoice', '').trim();
  const total = pounds(await p.locator('.totals .grand dd').textContent());
  // The plan's rule: 1.5 % of the total, before VAT.
  const fee = Math.round(total * 1.5) / 100;
  await expect(p.locator('#fee-breakdown')).toContainText(`Larder fee: £${fee.toFixed(2)} plus`);
  const invoiceUrl = new URL(p.url()).pathname.replace('/provider', '');

  await b.goto(invoiceUrl);
  await b.click('button:has-text("by card")');
  await b.click('button:has-text("Pay £")');
  await expect(b.locator('#payment')).toContainText('this invoice is settled');
  await buyerContext.close();

  // The app's clock reaches the first of next month: the worker issues last month's fee
  // invoices (it polls each second; the page is read until the invoice is there). The hour is
  // one no other scenario sets, so the hourly job has a run of its own at it.
  const now = new Date();
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 5, 23, 0));
  const set = await p.request.post('/test/clock', { form: { at: next.toISOString() } });
  expect(set.status()).toBe(204);
  await expect(async () => {
    await p.goto('/provider/fee-invoices');
    await expect(p.locator('#fee-invoices')).toContainText('LDR-F-', { timeout: 500 });
  }).toPass({ timeout: 30000 });
  await checkPage(p, 'fee-invoices-provider');
  await p.click('#fee-invoices a');
  await expect(p.locator('#fee-lines')).toContainText(`Fee on ${number}, paid by card`);
  await expect(p.locator('#fee-lines tr', { hasText: number })).toContainText(`£${fee.toFixed(2)}`);
  await expect(p.locator('#fee-paid')).toHaveText(await p.locator('#fee-total').textContent());
  await checkPage(p, 'fee-invoice');
  // The provider's own sales, for Xero, prepared in the background.
  await p.goto('/provider/exports');
  await p.selectOption('#f-kind', 'sales_invoices');
  await p.fill('#f-from', `${month}-01`);
  await p.fill('#f-to', new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10));
  await p.click('button:has-text("Prepare export")');
  await expect(p.locator('.alert-ok')).toContainText('being prepared');
  await expect(p.locator('#runs .run-progress').first()).toHaveText('1 document', { timeout: 30000 });
  await expect(p.locator('#runs .run-download').first()).toBeVisible();
  await checkPage(p, 'provider-exports');
  await providerContext.close();

  const adminContext = await browser.newContext();
  const a = await adminContext.newPage();
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await a.click('nav a:has-text("Fee invoices")');
  await checkPage(a, 'fee-invoices-admin');
  // Every fee invoice for the month, against the dashboard's fee revenue for the month (a fee
  // journalled after its provider's invoice for the month would roll to the next month's; no
  // scenario before this one pays a provider already invoiced).
  const [year, mon] = month.split('-').map(Number);
  const monthName = new Date(Date.UTC(year, mon - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  const rows = a.locator('#fee-invoices tbody tr', { hasText: `${monthName} ${year}` });
  let invoiced = 0;
  for (const net of await rows.locator('td:nth-child(4)').allTextContents()) invoiced += pounds(net);
  const last = new Date(Date.UTC(year, mon, 0)).toISOString().slice(0, 10);
  await a.goto(`/admin/analytics?from=${month}-01&to=${last}`);
  const fees = pounds((await a.locator('#fees').textContent()).split('+')[0].trim());
  expect(fees).toBeCloseTo(invoiced, 2);
  expect(fees).toBeGreaterThanOrEqual(fee);
  await expect(a.locator('#gmv')).toContainText('£');
  await expect(a.locator('#fees-chart svg')).toBeVisible();
  await checkPage(a, 'admin-analytics-money');
  await a.goto('/admin/exports');
  await a.selectOption('#f-kind', 'fee_invoices');
  await a.fill('#f-from', `${month}-01`);
  await a.fill('#f-to', last);
  await a.click('button:has-text("Prepare export")');
  await expect(a.locator('.alert-ok')).toContainText('being prepared');
  await expect(a.locator('#runs .run-download').first()).toBeVisible({ timeout: 30000 });
  await checkPage(a, 'admin-exports');
  await adminContext.close();
});
