// Trust in a real browser: a buyer checks a delivery in with a short line, asks for credit
// from the check-in, the provider declines with a reason, the buyer takes it to Larder's
// team, and an admin refunds part of it from the dispute queue; both sides see the decision
// and the credit note; then the buyer works through the bell. Uses the dairy and deli from
// delivery.spec.js.
const { test, expect } = require('@playwright/test');
const { checkPage, logIn } = require('./helpers');

const PASSWORD = 'e2e-password-2026!';
// A 1×1 PNG: a real image, checked by its bytes on the server.
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64');
const PROVIDER = { email: 'dairy@e2e.test', name: 'Dawn Dairy' };
const BUYER = { email: 'deli@e2e.test' };

test.describe.configure({ mode: 'serial' });

test('a short delivery is checked in, claimed, declined and escalated', async ({ browser }) => {
  const provider = await browser.newContext();
  const p = await provider.newPage();
  await logIn(p, PROVIDER.email, PASSWORD);
  await p.goto('/provider/orders');
  await p.click('td a:has-text("LD-")');
  const orderNumber = (await p.locator('h1').textContent()).replace('Order', '').trim();
  if (await p.locator('button:has-text("Confirm order")').count()) {
    await p.click('button:has-text("Confirm order")');
    await expect(p.locator('#order-status h2 .badge')).toHaveText('Confirmed');
  }
  await p.fill('#received', 'Del');
  await p.click('button:has-text("Mark delivered")');
  await expect(p.locator('#order-status')).toContainText('received by Del');
  // The dairy takes cards (the local stand-in for Stripe's onboarding) and invoices the order.
  await p.click('nav a:has-text("Payouts")');
  await p.click('a:has-text("Payout settings")');
  await p.click('button:has-text("Set up payouts with Stripe")');
  await p.click('button:has-text("Finish onboarding")');
  await expect(p.locator('#payout-status')).toHaveText('Ready');
  await p.goto('/provider/orders');
  await p.click(`td a:has-text("${orderNumber}")`);
  await p.click('button:has-text("Create invoice")');
  await p.click('button:has-text("Issue invoice")');
  await expect(p.locator('.page-head .badge')).toHaveText('Unpaid');
  const invoiceUrl = new URL(p.url()).pathname.replace('/provider', '');

  const buyer = await browser.newContext();
  const b = await buyer.newPage();
  await logIn(b, BUYER.email, PASSWORD);
  await b.goto(invoiceUrl);
  await b.click('button:has-text("by card")');
  await b.click('button:has-text("Pay £")');
  await expect(b.locator('#payment')).toContainText('this invoice is settled');
  await b.goto('/orders');
  await b.click(`td a:has-text("${orderNumber}")`);
  await b.click('a:has-text("Check in this delivery")');
  await checkPage(b, 'receive');
  const received = b.getByLabel('Received of Whole milk');
  await received.fill('lots');
  await b.click('button:has-text("Save check-in")');
  await expect(b.locator('.field-error')).toContainText('Enter a quantity');
  await expect(received).toHaveValue('lots');
  await checkPage(b, 'receive-refused');
  await received.fill('0');
  await b.getByLabel('Note on Whole milk').fill('Crate never arrived');
  await b.click('button:has-text("Save check-in")');
  await expect(b.locator('.alert-ok')).toContainText('Delivery checked in');
  await b.click(`a:has-text("Ask ${PROVIDER.name} for credit on them")`);
  await expect(b.getByLabel('Reason for Whole milk')).toHaveValue('short');
  await checkPage(b, 'credit-request-new');
  // A photo of the empty space on the shelf goes with the request.
  await b.setInputFiles('#raise-photo', { name: 'shelf.png', mimeType: 'image/png', buffer: PHOTO });
  await b.click('button:has-text("Send credit request")');
  await expect(b.locator('.alert-ok')).toContainText(`Credit request sent to ${PROVIDER.name}`);
  await expect(b.locator('#request-status')).toHaveText('Waiting for the provider');
  await expect(b.locator('#thread img')).toHaveCount(1);
  await b.fill('#m-body', 'Only the empty crate space on the delivery note');
  await b.click('button:has-text("Post message")');
  await expect(b.locator('.alert-ok')).toContainText('Message posted');
  await expect(b.locator('#thread img')).toHaveCount(1);
  await checkPage(b, 'credit-request-buyer');

  await p.click('nav a:has-text("Credit requests")');
  await checkPage(p, 'credit-requests-provider');
  await p.click('table a');
  await expect(p.locator('main')).toContainText('Crate never arrived');
  await expect(p.locator('#thread')).toContainText('Only the empty crate space');
  const shown = await p.locator('#thread img').evaluate((img) => img.complete && img.naturalWidth);
  expect(shown, 'the provider can load the buyer\'s photo').toBe(1);
  await p.click('button:has-text("Decline")');
  await expect(p.locator('#decline-error')).toContainText('Say why');
  await checkPage(p, 'credit-request-decline-refused');
  await p.fill('#decline-reason-field', 'Signed for in full by Del at 07:10');
  await p.click('button:has-text("Decline")');
  await expect(p.locator('.alert-ok')).toContainText('Declined');
  await expect(p.locator('#request-status')).toHaveText('Declined');
  await provider.close();

  await b.reload();
  await expect(b.locator('#decline-reason')).toContainText('Signed for in full by Del');
  await b.click("button:has-text(\"Ask Larder's team to decide\")");
  await expect(b.locator('#request-status')).toHaveText("With Larder's team");
  await checkPage(b, 'credit-request-escalated');

  const admin = await browser.newContext();
  const a = await admin.newPage();
  await logIn(a, process.env.E2E_ADMIN_EMAIL, process.env.E2E_ADMIN_PASSWORD);
  await a.click('nav a:has-text("Disputes")');
  await expect(a.locator('table')).toContainText(orderNumber);
  await checkPage(a, 'admin-disputes');
  await a.locator('tr', { hasText: orderNumber }).locator('a').click();
  await expect(a.locator('#decline-reason')).toContainText('Signed for in full by Del');
  await expect(a.locator('#d-refund')).toBeChecked();
  await a.fill('#d-amount', '6.00');
  await a.click('button:has-text("Decide")');
  await expect(a.locator('#note-error')).toContainText('Explain the decision');
  await expect(a.locator('#d-amount')).toHaveValue('6.00');
  await checkPage(a, 'admin-dispute-refused');
  await a.fill('#d-note', 'Half the crate was missing on the driver\'s own sheet');
  await a.click('button:has-text("Decide")');
  await expect(a.locator('.alert-ok').first()).toContainText('Decided. Both sides');
  await expect(a.locator('#decision')).toContainText("Larder's team refunded £6.00");
  await checkPage(a, 'admin-dispute-decided');
  await admin.close();

  await b.reload();
  await expect(b.locator('#decision')).toContainText("Larder's team refunded £6.00");
  await expect(b.locator('#request-status')).toHaveText("Decided by Larder's team");
  await b.goto(invoiceUrl);
  await expect(b.locator('#refunds')).toContainText('Credit note CN-000001');
  await expect(b.locator('#refunds')).toContainText("driver's own sheet");
  await checkPage(b, 'invoice-dispute-refunded');

  // The buyer rates the order, and the rating shows on the provider's page.
  await b.goto('/orders');
  await b.click(`td a:has-text("${orderNumber}")`);
  await b.click('a:has-text("Rate this order")');
  await b.click('button:has-text("Rate order")');
  await expect(b.locator('#stars-error')).toContainText('Choose from 1 to 5 stars');
  await checkPage(b, 'rate-refused');
  await b.check('#stars-4');
  await b.fill('#r-comment', 'Sorted the missing crate out fairly');
  await b.click('button:has-text("Rate order")');
  await expect(b.locator('.alert-ok')).toContainText('your rating is on the provider');
  await b.goto('/providers/dawn-dairy');
  await expect(b.locator('#ratings')).toContainText('Sorted the missing crate out fairly');
  await expect(b.locator('#trust')).toContainText('New on Larder');
  await checkPage(b, 'provider-page-rated');
  await buyer.close();

  const owner = await browser.newContext();
  const o = await owner.newPage();
  await logIn(o, PROVIDER.email, PASSWORD);
  await o.click('nav a:has-text("Reliability")');
  await expect(o.locator('#ratings')).toContainText('Sorted the missing crate out fairly');
  await o.getByLabel(`Reply publicly (once) to order ${orderNumber}`).fill('Thanks for bearing with us');
  await o.click('#ratings button:has-text("Reply")');
  await expect(o.locator('.alert-ok')).toContainText('Reply published');
  await checkPage(o, 'reliability');
  await owner.close();
});

test('the bell counts what changed and a notice opens what it is about', async ({ page: b }) => {
  await logIn(b, BUYER.email, PASSWORD);
  const count = b.locator('#bell-count');
  await expect(count).toBeVisible();
  const before = Number(await count.textContent());
  expect(before).toBeGreaterThan(1);
  await b.click('#bell');
  await expect(b.locator('h1')).toHaveText('Notifications');
  await expect(b.locator('#unread-summary')).toHaveText(`${before} unread.`);
  await checkPage(b, 'notifications');
  await b.locator('.notice.unread a').first().click();
  await expect(b).not.toHaveURL(/notifications/);
  await expect(count).toHaveText(String(before - 1));
  await b.click('#bell');
  await b.click('button:has-text("Mark all as read")');
  await expect(b.locator('.alert-ok')).toContainText('marked as read');
  await expect(count).toHaveCount(0);
  await expect(b.locator('#unread-summary')).toHaveText('Nothing unread.');
  await checkPage(b, 'notifications-read');
});
