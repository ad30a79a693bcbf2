// Availability in a real browser, on the app's settable clock: a provider sets a delivery
// window, a cut-off the day before, a delivery charge and a closure; a buyer sees the
// countdown, misses the cut-off with the page still open, is offered the next date (after the
// closure) and orders for it.
const { test, expect } = require('@playwright/test');
const { checkPage, confirmEmail, logIn } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;
const PASSWORD = 'e2e-password-2026!';
const PROVIDER = { email: 'dairy@e2e.test', name: 'Dawn Dairy' };
const BUYER = { email: 'deli@e2e.test', business: 'Dawn Deli' };

test.describe.configure({ mode: 'serial' });

async function setClock(page, at) {
  const res = await page.request.post('/test/clock', { form: { at } });
  expect(res.status()).toBe(204);
}

// Every other scenario runs on the real clock.
test.afterAll(async ({ request }) => {
  await request.post('/test/clock', { form: { at: '' } });
});

test('a provider sets a window, a cut-off, a charge and a closure', async ({ page }) => {
  // Tuesday 1 Dec 2026, 10:40 in London.
  await setClock(page, '2026-12-01T10:40:00Z');
  await page.goto('/signup/provider');
  await page.fill('#f-name', 'Dee Dairy');
  await page.fill('#f-email', PROVIDER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-provider_name', PROVIDER.name);
  await page.check('input[name=categories][value=dairy_eggs]');
  for (const day of ['6', '7']) await page.check(`input[name=delivery_days][value="${day}"]`);
  await page.fill('#f-delivery_areas', 'SE1');
  await page.click('button:has-text("Create account")');
  await expect(page.locator('.alert-ok')).toContainText('Welcome to Larder');

  await page.click('nav a:has-text("Delivery")');
  await expect(page.locator('h1')).toHaveText('Delivery');
  await page.click('main a:has-text("Edit")');
  await page.fill('#f-w3', '9am');
  await page.selectOption('#f-lead_days', '1');
  await page.fill('#f-cutoff', '14:00');
  await page.fill('#f-delivery_charge', '5');
  await page.click('button:has-text("Save zone")');
  await expect(page.locator('#e-w3')).toContainText('write it like 06:00-09:00');
  await expect(page.locator('#f-w3')).toHaveValue('9am');
  await expect(page.locator('#f-delivery_charge')).toHaveValue('5');
  await checkPage(page, 'zone-refused');
  await page.fill('#f-w3', '06:00-09:00');
  await page.click('button:has-text("Save zone")');
  await expect(page.locator('.alert-ok')).toContainText('Delivery zone saved');
  await expect(page.locator('.zone')).toContainText('Wednesday: 06:00–09:00');
  await expect(page.locator('.zone')).toContainText('Order by 14:00 the day before');
  await expect(page.locator('.zone')).toContainText('£5.00 + VAT');

  await page.fill('#f-starts_on', '2026-12-03');
  await page.fill('#f-message', 'Stocktake');
  await page.click('button:has-text("Add closure")');
  await expect(page.locator('.alert-ok')).toContainText('Closure added');
  await expect(page.locator('.card-list')).toContainText('Closed on 3 Dec 2026: Stocktake.');
  await checkPage(page, 'delivery-overview');

  await page.goto('/provider/products/new');
  await page.fill('#f-sku', 'MK-1');
  await page.fill('#f-name', 'Whole milk');
  await page.selectOption('#f-category', 'dairy_eggs');
  await page.fill('#f-unit', 'crate');
  await page.fill('#f-price', '12');
  await page.click('button:has-text("Save product")');
  await expect(page.locator('table')).toContainText('Whole milk');
});

test('a buyer sees the countdown, misses the cut-off and gets the next date', async ({ page }) => {
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Del Deli');
  await page.fill('#f-email', BUYER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', BUYER.business);
  await page.fill('#f-address_line1', '9 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 9QL');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);
  await confirmEmail(page, MAILDEV, BUYER.email);

  await page.goto('/providers/dawn-dairy');
  const milk = page.locator('tr', { hasText: 'Whole milk' });
  await milk.locator('input[name=quantity]').fill('2');
  await milk.locator('button:has-text("Add")').click();
  await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
  await page.goto('/checkout/dawn-dairy');
  await expect(page.locator('#countdown')).toHaveText('Order within 3 h 20 min for delivery tomorrow, 06:00–09:00.');
  await expect(page.locator('#delivery')).toContainText('Closed on 3 Dec 2026: Stocktake.');
  await expect(page.locator('#checkout')).toContainText('Includes a delivery charge of £5.00 + VAT at 20%.');
  await expect(page.locator('#f-date')).not.toContainText('Thursday 3 Dec 2026');
  await checkPage(page, 'checkout-countdown');

  // The page stays open past the cut-off; the server refuses and offers Friday (Thursday is closed).
  await setClock(page, '2026-12-01T14:00:00Z');
  await page.click('button:has-text("Place order")');
  await expect(page.locator('.alert-error')).toContainText('Ordering for 2 Dec 2026 closed at 1 Dec 2026, 14:00. The next delivery you can have is Friday 4 Dec 2026');
  await expect(page.locator('#f-date option:checked')).toHaveText('Friday 4 Dec 2026');
  await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
  await checkPage(page, 'checkout-missed-cutoff');

  await page.click('button:has-text("Place order")');
  await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
  await expect(page.locator('main')).toContainText('4 Dec 2026');
  await expect(page.locator('tr', { hasText: 'Delivery' }).first()).toContainText('£5.00');
  await expect(page.locator('main')).toContainText('£30.00');
  await checkPage(page, 'order-with-delivery-charge');

  // Before the provider confirms (and the cut-off), the buyer changes a quantity.
  await page.getByLabel('New quantity of Whole milk').fill('3');
  await page.click('button:has-text("Save changes")');
  await expect(page.locator('.alert-ok')).toContainText('Order changed');
  await expect(page.locator('main')).toContainText('£42.00');
  await expect(page.locator('main')).toContainText('Changed by the buyer');
});

test('the provider sees the order for its date', async ({ page }) => {
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider/orders');
  await expect(page.locator('table')).toContainText('4 Dec 2026');
});

test('a buyer repeats the order weekly and the worker places it when the clock reaches it', async ({ page }) => {
  await logIn(page, BUYER.email, PASSWORD);
  await page.goto('/orders');
  await page.locator('td a:has-text("LD-")').first().click();
  await page.click('a:has-text("Repeat as a standing order")');
  await expect(page.locator('h1')).toHaveText('Standing order from Dawn Dairy');
  await page.check('input[name=weekdays][value="7"]');
  await page.fill('#f-starts_on', '2026-11-30');
  await page.click('button:has-text("Set up standing order")');
  await expect(page.locator('.error-summary')).toContainText('Start today or later');
  await expect(page.locator('input[name=weekdays][value="7"]')).toBeChecked();
  await checkPage(page, 'standing-refused');
  await page.uncheck('input[name=weekdays][value="7"]');
  await page.check('input[name=weekdays][value="3"]');
  await page.selectOption('#f-window', '06:00');
  await page.fill('#f-starts_on', '2026-12-08');
  await page.fill('#f-notes', 'Leave at the side gate');
  await page.click('button:has-text("Set up standing order")');
  await expect(page.locator('.alert-ok')).toContainText('Standing order set up');
  await expect(page.locator('main')).toContainText('Every week on Wed');
  const first = page.locator('#occurrences li', { hasText: 'Wednesday 9 Dec 2026' });
  await expect(first).toContainText('to be ordered before the cut-off');
  await checkPage(page, 'standing-order');

  // Tuesday 8 Dec, 12:30: inside the two hours before Wednesday's 14:00 cut-off. The worker
  // places it; the page shows the order once it has.
  await setClock(page, '2026-12-08T12:30:00Z');
  await expect(async () => {
    await page.reload();
    await expect(page.locator('#occurrences li', { hasText: 'Wednesday 9 Dec 2026' }).locator('a:has-text("ordered")')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.locator('#occurrences li', { hasText: 'Wednesday 9 Dec 2026' }).locator('a:has-text("ordered")').click();
  await expect(page.locator('main')).toContainText('Placed by your standing order');
  await expect(page.locator('main')).toContainText('9 Dec 2026, 06:00–09:00');
  await expect(page.locator('main')).toContainText('Leave at the side gate');
  await checkPage(page, 'standing-placed-order');

  await page.goBack();
  await page.locator('#occurrences li', { hasText: 'Wednesday 16 Dec 2026' }).locator('button:has-text("Skip")').click();
  await expect(page.locator('.alert-ok')).toContainText('16 Dec 2026 skipped');
  await expect(page.locator('#occurrences li', { hasText: 'Wednesday 16 Dec 2026' })).toContainText('skipped');

  await page.click('nav a:has-text("Standing orders")');
  await expect(page.locator('table')).toContainText('Dawn Dairy');
  await expect(page.locator('table')).toContainText('Every week on Wed');
  await checkPage(page, 'standing-orders');
});

test('the provider sees the standing demand coming', async ({ page }) => {
  await setClock(page, '2026-12-08T15:00:00Z');
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.click('nav a:has-text("Standing demand")');
  await expect(page.locator('h1')).toHaveText('Standing demand');
  // Wednesdays 9 (placed: 3 crates) and 16 Dec (skipped) fall in the next 14 days.
  await expect(page.locator('tr', { hasText: 'Whole milk' }).locator('td').last()).toHaveText('3');
  await checkPage(page, 'standing-demand');
});
