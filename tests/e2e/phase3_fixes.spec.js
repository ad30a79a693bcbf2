// Phase 3 fixes in a real browser: a decimal comma is pence, an empty quantity adds nothing,
// a refused confirmation keeps its values beside the field, a rejected order stops offering
// Confirm without a reload, "Issue invoice" issues what is typed on the draft, a provider
// records a bank transfer, a buyer deletes an address, and a provider who invoices on
// delivery gets the invoice issued by the worker.
const { test, expect } = require('@playwright/test');
const { checkPage, confirmEmail, logIn } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;

const PASSWORD = 'e2e-password-2026!';
const PROVIDER = { email: 'bakery@e2e.test', name: 'Comma Bakery' };
const BUYER = { email: 'cafe@e2e.test', business: 'Comma Cafe' };

test.describe.configure({ mode: 'serial' });

test('a provider types prices with a decimal comma', async ({ page }) => {
  await page.goto('/signup/provider');
  await page.fill('#f-name', 'Bea Baker');
  await page.fill('#f-email', PROVIDER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-provider_name', PROVIDER.name);
  await page.check('input[name=categories][value=bakery]');
  for (const day of ['1', '2', '3', '4', '5', '6', '7']) await page.check(`input[name=delivery_days][value="${day}"]`);
  await page.fill('#f-delivery_areas', 'SE1');
  await page.fill('#f-min_order_value', '5,50');
  await page.click('button:has-text("Create account")');
  await expect(page.locator('.alert-ok')).toContainText('Welcome to Larder');

  await page.goto('/provider/products/new');
  await page.fill('#f-sku', 'SD-1');
  await page.fill('#f-name', 'Sourdough');
  await page.selectOption('#f-category', 'bakery');
  await page.fill('#f-unit', 'loaf');
  await page.fill('#f-price', '1,250,00');
  await page.click('button:has-text("Save product")');
  await expect(page.locator('#e-price')).toContainText('where the pence start');
  await expect(page.locator('#f-price')).toHaveValue('1,250,00');
  await checkPage(page, 'product-price-refused');
  await page.fill('#f-price', '3,20');
  await page.click('button:has-text("Save product")');
  await expect(page.locator('table')).toContainText('£3.20');
});

test('a buyer orders; an empty quantity adds nothing', async ({ page }) => {
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Cal Cafe');
  await page.fill('#f-email', BUYER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', BUYER.business);
  await page.fill('#f-address_line1', '3 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 9QL');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);
  await confirmEmail(page, MAILDEV, BUYER.email);

  for (let n = 0; n < 2; n += 1) {
    await page.goto('/providers/comma-bakery');
    const bread = page.locator('tr', { hasText: 'Sourdough' });
    await bread.locator('input[name=quantity]').fill('');
    await bread.locator('button:has-text("Add")').click();
    await expect(bread.locator('.add-result')).toContainText('Enter a quantity');
    await expect(page.locator('#cart-badge')).toHaveText('Cart');
    await bread.locator('input[name=quantity]').fill('3');
    await bread.locator('button:has-text("Add")').click();
    await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
    await page.click('#cart-badge');
    await page.click('text=Checkout');
    await page.click('button:has-text("Place order")');
    await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
  }
});

test('a refused confirmation keeps its value; rejecting removes Confirm at once', async ({ page }) => {
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider/orders');
  await page.locator('td a:has-text("LD-")').first().click();
  const confirm = page.locator('button:has-text("Confirm order")');
  const reject = page.locator('button:has-text("Reject order")');
  const [confirmBox, rejectBox] = [await confirm.boundingBox(), await reject.boundingBox()];
  expect(confirmBox.y).toBeLessThan(rejectBox.y);
  const qty = page.getByLabel('Confirm quantity of Sourdough');
  await qty.fill('1.5');
  await confirm.click();
  await expect(page.locator('.field-error')).toContainText('sold in whole units');
  await expect(page.getByLabel('Confirm quantity of Sourdough')).toHaveValue('1.5');
  await checkPage(page, 'confirm-refused');

  await page.fill('#reason', 'Oven broken today');
  await page.click('button:has-text("Reject order")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Rejected');
  await expect(page.locator('button:has-text("Confirm order")')).toHaveCount(0);
  await expect(page.locator('button:has-text("Reject order")')).toHaveCount(0);
  await checkPage(page, 'order-rejected');
});

test('issue invoice issues the charge typed on the draft', async ({ page }) => {
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider/orders?status=submitted');
  await page.locator('td a:has-text("LD-")').first().click();
  await page.click('button:has-text("Confirm order")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Confirmed');
  await page.fill('#received', 'Cal');
  await page.click('button:has-text("Mark delivered")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Delivered');
  await page.click('button:has-text("Create invoice")');
  await expect(page.locator('h1')).toHaveText('Draft invoice');
  await expect(page.locator('.parties')).toContainText(BUYER.business);
  await page.fill('#d-price', '4,5');
  await page.click('button:has-text("Issue invoice")');
  await expect(page.locator('h1')).toHaveText(/^Invoice CB-000001$/);
  const delivery = page.locator('tr', { hasText: 'Delivery' });
  await expect(delivery).toContainText('£4.50');
  await expect(delivery).toContainText('£0.90');
  await checkPage(page, 'invoice-issued-with-typed-charge');
});

test('the provider records a bank transfer and the buyer sees the invoice paid', async ({ page }) => {
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider/invoices');
  await page.click('a:has-text("CB-000001")');
  await page.click('summary:has-text("Record a payment received outside Larder")');
  await page.selectOption('#pay-method', 'bank_transfer');
  await page.fill('#pay-ref', 'BACS 4471');
  await checkPage(page, 'invoice-record-payment');
  await page.click('button:has-text("as paid")');
  await expect(page.locator('#payment .badge')).toHaveText('Paid');
  await expect(page.locator('#payment')).toContainText('Paid outside Larder by bank transfer (ref. BACS 4471)');

  await page.click('button:has-text("Log out")');
  await logIn(page, BUYER.email, PASSWORD);
  await page.goto('/invoices');
  await page.click('a:has-text("CB-000001")');
  await expect(page.locator('#payment .badge')).toHaveText('Paid');
  await expect(page.locator('button:has-text("by card")')).toHaveCount(0);
  await checkPage(page, 'invoice-paid-offline-buyer');
});

test('a buyer deletes a delivery address they no longer use', async ({ page }) => {
  await logIn(page, BUYER.email, PASSWORD);
  await page.click('text=Add an address');
  await page.fill('#f-label', 'Old pop-up');
  await page.fill('#f-address_line1', '1 Tooley Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 2TU');
  await page.click('button:has-text("Save address")');
  await expect(page.locator('table')).toContainText('Old pop-up');
  await page.click('button:has-text("Delete Old pop-up")');
  await expect(page.locator('.alert-ok')).toContainText('Address deleted');
  await expect(page.locator('table')).not.toContainText('Old pop-up');
  await checkPage(page, 'address-deleted');
});

test('a provider who invoices on delivery gets the invoice issued without a click', async ({ page }) => {
  await logIn(page, BUYER.email, PASSWORD);
  await page.goto('/providers/comma-bakery');
  const bread = page.locator('tr', { hasText: 'Sourdough' });
  await bread.locator('input[name=quantity]').fill('2');
  await bread.locator('button:has-text("Add")').click();
  await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
  await page.click('#cart-badge');
  await page.click('text=Checkout');
  await page.click('button:has-text("Place order")');
  const number = (await page.locator('h1').textContent()).replace('Order', '').trim();
  await page.click('button:has-text("Log out")');

  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider');
  await page.check('#auto-invoice');
  await checkPage(page, 'profile-auto-invoice');
  await page.click('button:has-text("Save profile")');
  await page.goto('/provider');
  await expect(page.locator('#auto-invoice')).toBeChecked();
  await page.goto('/provider/orders?status=submitted');
  await page.click(`td a:has-text("${number}")`);
  await page.click('button:has-text("Confirm order")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Confirmed');
  await page.fill('#received', 'Cal');
  await page.click('button:has-text("Mark delivered")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Delivered');
  // The worker issues it moments after the delivery.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('main')).toContainText('Invoice CB-000002', { timeout: 500 });
  }).toPass({ timeout: 20000 });
  await page.click('a:has-text("Invoice CB-000002")');
  await expect(page.locator('.page-head .badge')).toHaveText('Unpaid');
  await checkPage(page, 'invoice-issued-on-delivery');
});
