// The Phase 3 checkpoint in a real browser, through the UI only: a provider lists a
// catalogue, a buyer finds it and orders, the provider confirms (short), delivers and
// invoices, the buyer pays from the emailed link, and an admin can take the provider down.
const fs = require('fs');
const path = require('path');
const { test, expect } = require('@playwright/test');
const { checkPage, confirmEmail, logIn, waitForEmail } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;
const PASSWORD = 'e2e-password-2026!';
const PROVIDER = { email: 'farm@e2e.test', name: 'E2E Farm' };
const BUYER = { email: 'chef@e2e.test', business: 'E2E Bistro' };

test.describe.configure({ mode: 'serial' });

let orderUrl;
let invoiceNumber;

test('a provider signs up and imports a catalogue', async ({ page }) => {
  await page.goto('/signup');
  await checkPage(page, 'signup-choice');
  await page.click('text=Sign up to sell');
  await page.fill('#f-name', 'Fran Grower');
  await page.fill('#f-email', PROVIDER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-provider_name', PROVIDER.name);
  await page.check('input[name=categories][value=fruit_veg]');
  await page.check('input[name=categories][value=dairy_eggs]');
  await page.fill('#f-description', 'Vegetables and cream from the e2e farm');
  for (const day of ['6', '7']) await page.check(`input[name=delivery_days][value="${day}"]`);
  await page.fill('#f-delivery_areas', 'SE1 E N');
  await page.fill('#f-min_order_value', '10');
  await page.fill('#f-address', '1 Farm Lane, Kent');
  await checkPage(page, 'signup-provider');
  await page.click('button:has-text("Create account")');
  await expect(page.locator('.alert-ok')).toContainText('Welcome to Larder');
  await checkPage(page, 'provider-home');

  await page.goto('/provider/products/import');
  await checkPage(page, 'catalogue-import');
  await page.setInputFiles('#f-file', path.join(__dirname, 'catalogue.csv'));
  await page.click('button:has-text("Upload and preview")');
  await expect(page.locator('.alert-ok')).toContainText('Every row is valid');
  await checkPage(page, 'catalogue-preview');
  await page.click('button:has-text("Apply import")');
  await expect(page.locator('.alert-ok')).toContainText('Import done: 3 added, 0 updated.');
  await checkPage(page, 'catalogue');
});

test('a buyer signs up, adds a location, discovers, compares and orders', async ({ page }) => {
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Ada Cook');
  await page.fill('#f-email', BUYER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', BUYER.business);
  await page.fill('#f-address_line1', '12 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'se1 9ql');
  await checkPage(page, 'signup-buyer');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);
  await checkPage(page, 'buyer-home');
  await confirmEmail(page, MAILDEV, BUYER.email);

  await page.click('text=Add an address');
  await page.fill('#f-label', 'Hotel bar');
  await page.fill('#f-address_line1', '20 Commercial Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'E1 6AN');
  await page.click('button:has-text("Save address")');
  await expect(page.locator('table')).toContainText('E1 6AN');

  // Discovery: filters swap the results with htmx and the URL follows.
  await page.goto('/discover');
  await checkPage(page, 'discover');
  await page.selectOption('#f-category', 'dairy_eggs');
  await expect(page).toHaveURL(/category=dairy_eggs/);
  await expect(page.locator('#results')).toContainText(PROVIDER.name);
  await page.selectOption('#f-category', 'drinks');
  await expect(page.locator('#results')).toContainText('No providers match');
  await page.selectOption('#f-category', '');
  await page.fill('#f-q', 'carrots');
  await expect(page).toHaveURL(/q=carrots/);
  await expect(page.locator('#results h2')).toHaveText([PROVIDER.name]);

  await page.goto('/compare?q=double+cream');
  await expect(page.locator('table')).toContainText('£5.60 / litre');
  await checkPage(page, 'compare');

  await page.goto('/discover');
  await page.click(`a:has-text("${PROVIDER.name}")`);
  await checkPage(page, 'provider-page');
  const cream = page.locator('tr', { hasText: 'Double cream' });
  await cream.locator('input[name=quantity]').fill('3');
  await cream.locator('button:has-text("Add")').click();
  await expect(cream.locator('.add-result')).toContainText('Added: 3 in your cart');
  await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
  const carrots = page.locator('tr', { hasText: 'Heritage carrots' });
  await carrots.locator('input[name=quantity]').fill('2.5');
  await carrots.locator('button:has-text("Add")').click();
  await expect(page.locator('#cart-badge')).toHaveText('Cart (2)');

  await page.click('#cart-badge');
  await checkPage(page, 'cart');
  const line = page.locator('tr', { hasText: 'Double cream' });
  await line.locator('input[name=quantity]').fill('4');
  await line.locator('input[name=quantity]').press('Enter');
  await expect(page.locator('.provider-cart')).toContainText('£22.40');
  await page.click('text=Checkout');
  await checkPage(page, 'checkout');
  await page.fill('textarea[name=notes]', 'Side door, before 10am');
  await page.click('button:has-text("Place order")');
  await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
  await expect(page.locator('#order-status')).toContainText('Awaiting confirmation');
  orderUrl = new URL(page.url()).pathname;
  await checkPage(page, 'order-buyer');
  await page.goto('/orders');
  await checkPage(page, 'orders-buyer');
});

test('an admin sets the platform fee that invoices issued from now on carry', async ({ page }) => {
  await logIn(page, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  // A refused value keeps what was typed, a good one is saved.
  await page.goto('/admin/fees');
  await expect(page.locator('#platform-fee')).toHaveText('No fee');
  await page.fill('#f-percent', '75');
  await page.click('button:has-text("Save free plan fee")');
  await expect(page.locator('#e-percent')).toContainText('from 0 to 50');
  await expect(page.locator('#f-percent')).toHaveValue('75');
  await checkPage(page, 'admin-fees-refused');
  await page.fill('#f-percent', '2.5');
  await page.click('button:has-text("Save free plan fee")');
  await expect(page.locator('#platform-fee')).toHaveText('2.5% per invoice, plus VAT');
  await checkPage(page, 'admin-fees');
});

test('the provider shorts a line, confirms, delivers and invoices', async ({ page, browser }) => {
  // The buyer watches the order page throughout. It polls only once a minute, far beyond
  // these expectations' 10 s, so what changes on it below came over its socket.
  const watching = await browser.newContext();
  const buyer = await watching.newPage();
  await logIn(buyer, BUYER.email, PASSWORD);
  await buyer.goto(orderUrl);
  await buyer.evaluate(() => { window.stillTheSamePage = true; });
  await expect(buyer.locator('#bell-count')).toHaveCount(0);

  await logIn(page, PROVIDER.email, PASSWORD);
  await page.goto('/provider/orders');
  await checkPage(page, 'orders-provider');
  await page.click('td a:has-text("LD-")');
  await checkPage(page, 'order-provider');
  await page.getByLabel('Confirm quantity of Heritage carrots').fill('2');
  await page.click('button:has-text("Confirm order")');
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Confirmed');
  await expect(page.locator('.badge', { hasText: 'Short' })).toBeVisible();
  await page.click('button:has-text("Schedule delivery")');
  await expect(page.locator('#order-status .timeline')).toContainText('Delivery scheduled');
  await page.click('button:has-text("Out for delivery")');
  // The button says "Out for delivery" too: wait for the swapped-in badge, not any text.
  await expect(page.locator('#order-status h2 .badge')).toHaveText('Out for delivery');
  await page.fill('#received', 'Chef Ada');
  await page.click('button:has-text("Mark delivered")');
  await expect(page.locator('#order-status')).toContainText('received by Chef Ada');

  // Without a reload, the buyer's page followed each step, and the bell counts the news.
  await expect(buyer.locator('#order-status h2 .badge')).toHaveText('Delivered');
  await expect(buyer.locator('#order-status .timeline')).toContainText('Confirmed');
  await expect(buyer.locator('#order-status .timeline')).toContainText('Delivery scheduled');
  await expect(buyer.locator('#order-status')).not.toContainText('Cancel order');
  await expect(buyer.locator('#bell-count')).not.toHaveText('0');
  expect(await buyer.evaluate(() => window.stillTheSamePage)).toBe(true);
  await checkPage(buyer, 'order-buyer-live');
  await watching.close();

  await page.reload();
  await page.click('button:has-text("Create invoice")');
  await expect(page.locator('h1')).toHaveText('Draft invoice');
  await page.fill('#d-price', '4.50');
  await page.click('button:has-text("Save draft")');
  await expect(page.locator('table')).toContainText('Delivery');
  await checkPage(page, 'invoice-draft');
  await page.click('button:has-text("Issue invoice")');
  await expect(page.locator('h1')).toHaveText(/^Invoice EF-000001$/);
  invoiceNumber = 'EF-000001';
  await checkPage(page, 'invoice-provider');
});

test('the buyer pays from the emailed link and both sides see paid', async ({ browser }) => {
  const mail = await waitForEmail(MAILDEV, (m) => m.subject && m.subject.startsWith(`Invoice ${invoiceNumber}`));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invoices\/[0-9a-f-]{36}/) || [])[0];
  expect(link, 'invoice link in the email').toBeTruthy();

  const buyer = await browser.newContext();
  const page = await buyer.newPage();
  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.fill('#f-email', BUYER.email);
  await page.fill('#f-password', PASSWORD);
  await page.click('button:has-text("Log in")');
  await expect(page).toHaveURL(link);
  // The farm hasn't set up payouts yet: no card button, and the buyer is told why.
  await expect(page.locator('#card-not-ready')).toContainText('still setting up payouts');
  await checkPage(page, 'invoice-card-not-ready');

  // The provider owner onboards (the local stand-in for Stripe's hosted pages).
  const owner = await browser.newContext();
  const o = await owner.newPage();
  await logIn(o, PROVIDER.email, PASSWORD);
  await o.click('nav a:has-text("Payouts")');
  await expect(o.locator('.empty')).toContainText('No payouts yet');
  await checkPage(o, 'payouts-none');
  await o.click('a:has-text("Payout settings")');
  await expect(o.locator('#payout-status')).toHaveText('Not set up');
  await checkPage(o, 'payouts-not-set-up');
  await o.click('button:has-text("Set up payouts with Stripe")');
  await expect(o.locator('h1')).toHaveText('Test payout onboarding');
  await checkPage(o, 'payouts-test-onboarding');
  await o.click('button:has-text("Finish onboarding")');
  await expect(o.locator('.alert-ok')).toContainText('Payouts are set up');
  await expect(o.locator('#payout-status')).toHaveText('Ready');
  await checkPage(o, 'payouts-ready');
  // The provider keeps the invoice open while the buyer pays; it turns paid by itself.
  await o.goto(new URL(link).pathname.replace('/invoices/', '/provider/invoices/'));
  await expect(o.locator('#invoice-status')).not.toHaveText('Paid');
  await o.evaluate(() => { window.stillTheSamePage = true; });

  await page.reload();
  await checkPage(page, 'invoice-buyer');
  // Stripe's page is there; the buyer leaves it to save a card instead.
  await page.click('button:has-text("by card")');
  await expect(page.locator('h1')).toHaveText('Test checkout');
  await checkPage(page, 'test-checkout');
  await page.click('a:has-text("Cancel")');
  await page.click('#payment a:has-text("Saved cards")');
  await expect(page.locator('.empty')).toContainText('No saved cards yet');
  await page.click('button:has-text("Add a card")');
  await expect(page.locator('h1')).toHaveText('Test card page');
  await checkPage(page, 'test-card-page');
  await page.check('input[name=card][value="3155"]');
  await page.click('button:has-text("Save card")');
  await expect(page.locator('.alert-ok')).toContainText('Visa •••• 3155 is saved.');
  await expect(page.locator('#saved-cards')).toContainText('Default');
  await checkPage(page, 'saved-cards');
  await page.goto(link);
  // One click; this card's bank asks the buyer to confirm it's them.
  await page.click('button:has-text("with Visa •••• 3155")');
  await expect(page.locator('h1')).toHaveText('Test bank check');
  await checkPage(page, 'test-bank-check');
  await page.click('button:has-text("Confirm it\'s me")');
  await expect(page.locator('.alert-ok')).toContainText('Paid. Thank you');
  await expect(page.locator('#payment')).toContainText('this invoice is settled');
  await checkPage(page, 'invoice-paid');
  await expect(o.locator('#invoice-status')).toHaveText('Paid');
  await expect(o.locator('#payment')).toContainText('this invoice is settled');
  expect(await o.evaluate(() => window.stillTheSamePage)).toBe(true);
  await checkPage(o, 'invoice-provider-paid-live');
  await owner.close();
  // From now on, invoices pay themselves on their due date.
  await page.goto('/buyer/cards');
  await page.click('button:has-text("Turn auto-pay on")');
  await expect(page.locator('#autopay-status')).toContainText('On:');
  await checkPage(page, 'autopay-on');
  await buyer.close();

  const provider = await browser.newContext();
  const p = await provider.newPage();
  await logIn(p, PROVIDER.email, PASSWORD);
  await p.goto('/provider/invoices?show=paid');
  await expect(p.locator('table')).toContainText(invoiceNumber);
  await checkPage(p, 'invoices-provider');
  await provider.close();
});

test('the provider refunds part of the paid invoice and both sides see the credit note', async ({ browser }) => {
  const provider = await browser.newContext();
  const p = await provider.newPage();
  await logIn(p, PROVIDER.email, PASSWORD);
  await p.goto('/provider/invoices?show=paid');
  await p.click(`a:has-text("${invoiceNumber}")`);
  await p.click('summary:has-text("Refund all or part of this invoice")');
  // Asking for more than was paid comes back on the form, with what was typed.
  await p.fill('#refund-amount', '9999');
  await p.fill('#refund-reason', 'One bunch of leeks was spoiled');
  await p.click('button:has-text("Refund and issue a credit note")');
  await expect(p.locator('#refund-amount-error')).toContainText('can be refunded on this invoice');
  await expect(p.locator('#refund-reason')).toHaveValue('One bunch of leeks was spoiled');
  await checkPage(p, 'refund-refused');
  await p.fill('#refund-amount', '2.00');
  await p.click('button:has-text("Refund and issue a credit note")');
  await expect(p.locator('.alert-ok')).toContainText('Refunded £2.00. Credit note CN-000001 is issued');
  await expect(p.locator('.page-head .badge')).toHaveText('Part refunded');
  await checkPage(p, 'invoice-part-refunded');
  await p.click('a:has-text("Credit note CN-000001")');
  await expect(p.locator('h1')).toHaveText('Credit note CN-000001');
  await expect(p.locator('#credit-total')).toHaveText('£2.00');
  await checkPage(p, 'credit-note-provider');
  await provider.close();

  const mail = await waitForEmail(MAILDEV, (m) => m.subject && m.subject.startsWith('Credit note CN-000001') && (m.to || []).some((t) => t.address === BUYER.email));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/credit-notes\/[0-9a-f-]{36}/) || [])[0];
  expect(link, 'credit note link in the email').toBeTruthy();
  const buyer = await browser.newContext();
  const b = await buyer.newPage();
  await b.goto(link);
  await b.fill('#f-email', BUYER.email);
  await b.fill('#f-password', PASSWORD);
  await b.click('button:has-text("Log in")');
  await expect(b).toHaveURL(link);
  await expect(b.locator('#credit-total')).toHaveText('£2.00');
  await expect(b.locator('main')).toContainText('One bunch of leeks was spoiled');
  await checkPage(b, 'credit-note-buyer');
  await b.click(`a:has-text("invoice ${invoiceNumber}")`);
  await expect(b.locator('#refunds')).toContainText('Credit note CN-000001');
  await buyer.close();
});

/// Posts an event to the app's webhook signed the way Stripe signs them.
async function stripeEvent(baseURL, event) {
  const crypto = require('crypto');
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac('sha256', process.env.STRIPE_WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex');
  const res = await fetch(`${baseURL}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
    body,
  });
  expect(res.status, 'webhook accepted').toBe(200);
}

test('Stripe pays the provider out and the payout page shows gross, fee, refund and net', async ({ page, baseURL }) => {
  await logIn(page, PROVIDER.email, PASSWORD);
  await page.click('nav a:has-text("Payouts")');
  const awaiting = (await page.locator('#awaiting').textContent()).trim();
  expect(awaiting).toMatch(/^£\d+\.\d\d$/);
  await page.click('a:has-text("Payout settings")');
  const account = (await page.locator('code').first().textContent()).trim();
  const pence = Math.round(Number(awaiting.slice(1).replace(/,/g, '')) * 100);
  const now = Math.floor(Date.now() / 1000);
  await stripeEvent(baseURL, {
    id: 'evt_e2e_payout', object: 'event', api_version: null, created: now, livemode: false,
    pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'payout.paid', account,
    data: { object: {
      id: 'po_e2e_1', object: 'payout', amount: pence, arrival_date: now + 86400, automatic: true,
      created: now, currency: 'gbp', livemode: false, metadata: {}, method: 'standard',
      reconciliation_status: 'completed', source_type: 'card', status: 'paid', type: 'bank_account',
    } },
  });
  await page.click('nav a:has-text("Payouts")');
  await expect(page.locator('#awaiting')).toHaveText('£0.00');
  await checkPage(page, 'payouts-list');
  await page.click('table a');
  await expect(page.locator('#payout-refunds')).toHaveText('£2.00');
  await expect(page.locator('#payout-net')).toHaveText(awaiting);
  await expect(page.locator('#payout-gross')).toContainText('£');
  // 2.5 % + VAT of the invoice, less the share given back with the refund.
  await expect(page.locator('#payout-fee')).not.toHaveText('£0.00');
  await expect(page.locator('table')).toContainText(invoiceNumber);
  await expect(page.locator('table')).toContainText('Refund');
  await checkPage(page, 'payout-detail');

  // The month's statement: the invoice with Larder's fee on it, and a CSV of the same lines.
  await page.click('nav a:has-text("Payouts")');
  await page.click('a:has-text("Monthly statements")');
  await expect(page.locator('h1')).toHaveText(/^Statement for /);
  await expect(page.locator('#statement-invoices')).toContainText(invoiceNumber);
  await expect(page.locator('#sum-fees')).not.toHaveText('−£0.00');
  await checkPage(page, 'statement');
  const download = page.waitForEvent('download');
  await page.click('a:has-text("Download CSV")');
  const csv = fs.readFileSync(await (await download).path(), 'utf8');
  expect(csv.split('\n')[0]).toBe('date,type,number,reference,gross,fee,fee_vat,net,status');
  expect(csv).toContain(`,invoice,${invoiceNumber},`);
  await page.click('a:has-text("Previous:")');
  await expect(page.locator('.empty').first()).toContainText('No invoices issued in');
  await checkPage(page, 'statement-empty-month');
});

test('an admin finds the paid invoice and refunds part of it through the same refund path', async ({ page }) => {
  await logIn(page, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await page.click('nav a:has-text("Invoices")');
  await page.fill('#q', invoiceNumber);
  await page.click('button:has-text("Search")');
  await expect(page.locator('table')).toContainText(PROVIDER.name);
  await checkPage(page, 'admin-invoices');
  await page.click(`a:has-text("${invoiceNumber}")`);
  await page.click('summary:has-text("Refund all or part of this invoice")');
  await page.fill('#refund-amount', '1.50');
  await page.fill('#refund-reason', 'Goodwill: delivered after the window');
  await page.click('button:has-text("Refund and issue a credit note")');
  await expect(page.locator('.alert-ok')).toContainText('Refunded £1.50. Credit note CN-000002 is issued');
  await expect(page.locator('#refunds')).toContainText('Goodwill: delivered after the window');
  await checkPage(page, 'admin-invoice');
  await page.click('a:has-text("Credit note CN-000002")');
  await expect(page.locator('#credit-total')).toHaveText('£1.50');
  await checkPage(page, 'admin-credit-note');
});

test('a buyer can order with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await page.locator('#f-email').focus();
  await page.keyboard.type(BUYER.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/buyer$/);
  await page.goto('/providers/e2e-farm');
  const qty = page.locator('tr', { hasText: 'Double cream' }).locator('input[name=quantity]');
  await qty.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  await expect(page.locator('#cart-badge')).toHaveText('Cart (1)');
  await page.goto('/checkout/e2e-farm');
  await page.locator('textarea[name=notes]').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
});

test('the order flow works with JavaScript turned off', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await logIn(page, BUYER.email, PASSWORD);
  await page.goto('/discover?filtered=1&category=fruit_veg');
  await expect(page.locator('#results')).toContainText(PROVIDER.name);
  await page.goto('/providers/e2e-farm');
  const carrots = page.locator('tr', { hasText: 'Heritage carrots' });
  await carrots.locator('input[name=quantity]').fill('6');
  await carrots.locator('button:has-text("Add")').click();
  await expect(page.locator('.alert-ok')).toContainText('Added: 6 in your cart');
  await page.goto('/cart');
  await page.click('text=Checkout');
  await page.click('button:has-text("Place order")');
  await expect(page.locator('h1')).toHaveText(/^Order LD-\d{6}$/);
  await checkPage(page, 'order-no-js', { scripts: false });
  await context.close();
});

test('an admin suspends the provider: gone from discovery, cart refused', async ({ browser }) => {
  const buyer = await browser.newContext();
  const b = await buyer.newPage();
  await logIn(b, BUYER.email, PASSWORD);
  await b.goto('/providers/e2e-farm');
  const cream = b.locator('tr', { hasText: 'Double cream' });
  await cream.locator('button:has-text("Add")').click();
  await expect(b.locator('#cart-badge')).toHaveText('Cart (1)');

  const admin = await browser.newContext();
  const a = await admin.newPage();
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await a.goto('/admin/providers');
  await checkPage(a, 'admin-providers');
  await a.locator('tr', { hasText: PROVIDER.name }).locator('a:has-text("Suspend")').click();
  await checkPage(a, 'admin-confirm');
  await a.click('button:has-text("Suspend")');
  await expect(a.locator('.alert-ok')).toContainText('suspended');
  // The suspension is in the audit log, filtered to admin actions.
  await a.click('nav >> text=Audit log');
  await a.fill('#f-action', 'admin');
  await a.click('button:has-text("Filter")');
  await expect(a.locator('table')).toContainText('admin.status_changed');
  await checkPage(a, 'admin-audit');
  await a.goto('/admin/users');
  await checkPage(a, 'admin-users');
  // Money oversight: money to give back, payouts needing attention, the daily check.
  await a.click('nav >> text=Refunds');
  await expect(a.locator('main')).toContainText('Nothing to refund.');
  await checkPage(a, 'admin-refunds');
  await a.click('nav >> text=Payouts');
  await expect(a.locator('.empty')).toContainText('Nothing needs attention');
  await checkPage(a, 'admin-payouts');
  await a.click('nav >> text=Reconciliation');
  await expect(a.locator('.empty')).toContainText('No day has been checked yet');
  await checkPage(a, 'admin-reconciliation');
  await admin.close();

  await b.goto('/discover?filtered=1');
  await expect(b.locator('#results')).not.toContainText(PROVIDER.name);
  await b.goto('/checkout/e2e-farm');
  await expect(b.locator('.alert-error')).toContainText("isn't taking orders");
  await b.click('button:has-text("Place order")');
  await expect(b.locator('.alert-error')).toContainText("isn't taking orders");
  await buyer.close();
});
