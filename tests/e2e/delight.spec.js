// Buyer delight in a real browser: a diner with history opens the order guide, types
// today's counts, gets a suggested order across three providers (one price flagged as
// changed, one at the diner's own price), puts it into the carts and places every order
// from one page; the dairy's customer price shows on the order line and on the invoice.
const { test, expect } = require('@playwright/test');
const { checkPage, confirmEmail, logIn } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;
const PASSWORD = 'e2e-password-2026!';
const BUYER = { email: 'diner@delight-e2e.test', business: 'Delight Diner' };
const PROVIDERS = [
  { email: 'dairy@delight-e2e.test', name: 'Delight Dairy', slug: 'delight-dairy', category: 'dairy_eggs', sku: 'DM-1', product: 'Whole milk', unit: 'bottle', price: '1.80', first: '10' },
  { email: 'greens@delight-e2e.test', name: 'Delight Greens', slug: 'delight-greens', category: 'fruit_veg', sku: 'GS-1', product: 'Baby spinach', unit: 'kg', price: '6.00', first: '3' },
  { email: 'fish@delight-e2e.test', name: 'Delight Fish', slug: 'delight-fish', category: 'fish_seafood', sku: 'FH-1', product: 'Hake fillet', unit: 'kg', price: '18.00', first: '2' },
];

test.describe.configure({ mode: 'serial' });
// These four accounts come from their own network (run.sh names the client-address header),
// so the suite's other sign-ups don't use up the hourly sign-up allowance for them.
const NETWORK = { 'X-E2E-Client': '198.51.100.20' };
test.use({ extraHTTPHeaders: NETWORK });

async function asProvider(browser, p, steps) {
  const context = await browser.newContext({ extraHTTPHeaders: NETWORK });
  const page = await context.newPage();
  await logIn(page, p.email, PASSWORD);
  await expect(page).toHaveURL(/\/provider$/);
  await steps(page);
  await context.close();
}

test('three providers list what a diner orders', async ({ browser }) => {
  for (const p of PROVIDERS) {
    const context = await browser.newContext({ extraHTTPHeaders: NETWORK });
    const page = await context.newPage();
    await page.goto('/signup/provider');
    await page.fill('#f-name', `${p.name} Owner`);
    await page.fill('#f-email', p.email);
    await page.fill('#f-password', PASSWORD);
    await page.fill('#f-provider_name', p.name);
    await page.check(`input[name=categories][value=${p.category}]`);
    for (const day of ['1', '2', '3', '4', '5', '6', '7']) await page.check(`input[name=delivery_days][value="${day}"]`);
    await page.fill('#f-delivery_areas', 'SE1');
    await page.fill('#f-min_order_value', '10');
    await page.click('button:has-text("Create account")');
    await expect(page.locator('.alert-ok')).toContainText('Welcome to Larder');
    await page.goto('/provider/products/new');
    await page.fill('#f-sku', p.sku);
    await page.fill('#f-name', p.product);
    await page.selectOption('#f-category', p.category);
    await page.fill('#f-unit', p.unit);
    await page.fill('#f-price', p.price);
    await page.click('button:has-text("Save product")');
    await expect(page.locator('table')).toContainText(p.product);
    await context.close();
  }
});

test('the diner orders from all three on one checkout page', async ({ page }) => {
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Dee Diner');
  await page.fill('#f-email', BUYER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', BUYER.business);
  await page.fill('#f-address_line1', '5 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 9QL');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);
  await confirmEmail(page, MAILDEV, BUYER.email);

  for (const p of PROVIDERS) {
    await page.goto(`/providers/${p.slug}`);
    const row = page.locator('tr', { hasText: p.product });
    await row.locator('input[name=quantity]').fill(p.first);
    await row.locator('button:has-text("Add")').click();
    await expect(row.locator('.add-result')).toContainText('in your cart');
  }
  await page.goto('/cart');
  await page.click('#checkout-all-link');
  await expect(page.locator('h1')).toHaveText('Checkout: every cart');
  await checkPage(page, 'checkout-every-cart');
  await page.click('button:has-text("Place orders")');
  await expect(page.locator('h1')).toHaveText('3 order(s) placed');
  await expect(page.locator('#outcomes li')).toHaveCount(3);
  await checkPage(page, 'checkout-every-cart-done');

  // The dairy becomes a favourite, and so does its milk: both filters find them.
  await page.goto('/discover');
  await page.locator('li.card', { hasText: 'Delight Dairy' }).locator('button:has-text("Mark as favourite")').click();
  await expect(page.locator('.alert-ok')).toContainText('Added to your favourite providers.');
  await page.check('input[name=favourites]');
  await page.click('button:has-text("Search")');
  await expect(page.locator('li.card')).toHaveCount(1);
  await expect(page.locator('li.card')).toContainText('Delight Dairy');
  await checkPage(page, 'discover-favourites');
  await page.click('li.card h2 a');
  await page.locator('tr', { hasText: 'Whole milk' }).locator('button:has-text("Mark as favourite")').click();
  await page.click('a:has-text("My favourites")');
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.locator('tbody tr')).toContainText('Whole milk');
  await checkPage(page, 'catalogue-favourites');
});

test('the dairy gives the diner their own price and the greens go up', async ({ browser }) => {
  await asProvider(browser, PROVIDERS[0], async (page) => {
    await page.goto('/provider/customer-prices');
    await page.fill('#f-sku', 'DM-1');
    await page.selectOption('#f-buyer', { label: BUYER.business });
    await page.fill('#f-price', '1.50');
    await page.click('button:has-text("Save price")');
    await expect(page.locator('.alert-ok')).toContainText('Customer price of £1.50 saved.');
    await expect(page.locator('#prices')).toContainText(BUYER.business);
    await checkPage(page, 'customer-prices');
  });
  await asProvider(browser, PROVIDERS[1], async (page) => {
    await page.goto('/provider/products');
    await page.click('a:has-text("Edit Baby spinach")');
    await page.fill('#f-price', '6.60');
    await page.click('button:has-text("Save product")');
    await expect(page.locator('table')).toContainText('£6.60');
  });
});

test('the diner counts stock on the guide and places every order from one page', async ({ page, browser }) => {
  await logIn(page, BUYER.email, PASSWORD);
  await page.click('nav >> text=Order guide');
  await expect(page.locator('h1')).toHaveText('Order guide');
  for (const p of PROVIDERS) await expect(page.locator(`#block-${p.slug}`)).toContainText(p.product);
  await expect(page.locator('#block-delight-greens .price-change')).toHaveText('Was £6.00 when last ordered, now £6.60 (up 10.0%)');
  await expect(page.locator('#block-delight-dairy')).toContainText('Your price');
  await checkPage(page, 'guide');

  const row = (p) => page.locator(`#block-${p.slug} tbody tr`, { hasText: p.product });
  const counts = [['20', '8'], ['4', '1,5'], ['3', '1']];
  for (const [i, p] of PROVIDERS.entries()) {
    await row(p).getByLabel(`Par level of ${p.product}`).fill(counts[i][0]);
    await row(p).getByLabel(`On hand of ${p.product}`).fill(counts[i][1]);
  }
  await page.locator('button[value=suggest]').first().click();
  await expect(page.locator('#guide-suggested')).toContainText('3 quantities suggested');
  await expect(row(PROVIDERS[0]).getByLabel('Quantity of Whole milk to order')).toHaveValue('12');
  // Spinach is sold in whole kilos here: 2.5 short rounds up to 3.
  await expect(row(PROVIDERS[1]).getByLabel('Quantity of Baby spinach to order')).toHaveValue('3');
  await expect(row(PROVIDERS[2]).getByLabel('Quantity of Hake fillet to order')).toHaveValue('2');
  // 12 × £1.50, the diner's own price, not the £1.80 list price.
  await expect(page.locator('#total-delight-dairy')).toContainText('£18.00 before VAT');
  await checkPage(page, 'guide-suggested');
  await page.locator('button[value=carts]').first().click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.locator('.alert-ok')).toContainText('Carts updated for');
  await expect(page.locator('#cart-badge')).toHaveText('Cart (3)');

  await page.click('#checkout-all-link');
  await expect(page.locator('#block-delight-dairy')).toContainText('Your price');
  await page.click('button:has-text("Place orders")');
  await expect(page.locator('h1')).toHaveText('3 order(s) placed');
  await page.locator('#outcomes li', { hasText: 'Delight Dairy' }).locator('a').click();
  await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
  const line = page.locator('tr', { hasText: 'Whole milk' });
  await expect(line).toContainText('£1.50');
  await expect(line).toContainText('Your price');
  const orderUrl = page.url();
  await checkPage(page, 'order-at-own-price');

  // The dairy confirms, delivers and invoices: the invoice line carries the same price.
  await asProvider(browser, PROVIDERS[0], async (dairy) => {
    await dairy.goto(orderUrl.replace('/orders/', '/provider/orders/'));
    await expect(dairy.locator('tr', { hasText: 'Whole milk' })).toContainText('Customer price');
    await dairy.click('button:has-text("Confirm order")');
    await expect(dairy.locator('#order-status h2 .badge')).toHaveText('Confirmed');
    await dairy.click('button:has-text("Schedule delivery")');
    await expect(dairy.locator('#order-status .timeline')).toContainText('Delivery scheduled');
    await dairy.click('button:has-text("Out for delivery")');
    await expect(dairy.locator('#order-status h2 .badge')).toHaveText('Out for delivery');
    await dairy.fill('#received', 'Dee');
    await dairy.click('button:has-text("Mark delivered")');
    await expect(dairy.locator('#order-status')).toContainText('received by Dee');
    await dairy.reload();
    await dairy.click('button:has-text("Create invoice")');
    await expect(dairy.locator('h1')).toHaveText('Draft invoice');
    await dairy.click('button:has-text("Issue invoice")');
    await expect(dairy.locator('h1')).toHaveText(/^Invoice /);
  });
  await page.goto('/invoices');
  await page.locator('td a', { hasText: 'DD-' }).first().click();
  const invoiced = page.locator('tr', { hasText: 'Whole milk' });
  await expect(invoiced).toContainText('£1.50');
  await expect(invoiced).toContainText('Your price');
  await checkPage(page, 'invoice-at-own-price');
});
