// Teams in a real browser: an owner invites an orderer by email, the orderer joins from the
// emailed link with a new account and sees only what the role allows, the owner makes them
// a viewer and then removes them, and they are out at their next click.
const { test, expect } = require('@playwright/test');
const { checkPage, logIn, waitForEmail } = require('./helpers');

const MAILDEV = process.env.MAILDEV_URL;
const PASSWORD = 'e2e-password-2026!';
const OWNER = { email: 'owner@team-e2e.test', business: 'Team Bistro' };
const ORDERER = { email: 'olu@team-e2e.test', name: 'Olu Orderer' };

test.describe.configure({ mode: 'serial' });

test('an owner invites an orderer, who joins and sees only what the role allows', async ({ browser }) => {
  const owner = await browser.newContext();
  const page = await owner.newPage();
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Tia Owner');
  await page.fill('#f-email', OWNER.email);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', OWNER.business);
  await page.fill('#f-address_line1', '9 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 9QL');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);

  await page.click('nav >> text=Team');
  await expect(page.locator('h1')).toContainText('Team');
  // A mistyped address comes back with what was typed and the message beside it.
  await page.fill('#f-email', 'olu-at-team');
  await page.check('#invite-role-orderer');
  await page.click('button:has-text("Send invite")');
  await expect(page.locator('#e-email')).toBeVisible();
  await expect(page.locator('#f-email')).toHaveValue('olu-at-team');
  await checkPage(page, 'team-invite-refused');
  await page.fill('#f-email', ORDERER.email);
  await page.check('#invite-role-orderer');
  await page.click('button:has-text("Send invite")');
  await expect(page.locator('.alert-ok')).toContainText(`Invite sent to ${ORDERER.email}`);
  await expect(page.locator('section', { hasText: 'Open invites' })).toContainText(ORDERER.email);
  await checkPage(page, 'team');

  const mail = await waitForEmail(MAILDEV, (m) => m.subject && m.subject.includes(OWNER.business) && (m.to || []).some((t) => t.address === ORDERER.email));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invites\/[0-9a-f]{64}/) || [])[0];
  expect(link, 'invite link in the email').toBeTruthy();

  const invitee = await browser.newContext();
  const olu = await invitee.newPage();
  await olu.goto(link);
  await expect(olu.locator('h1')).toHaveText(`Join ${OWNER.business} on Larder`);
  await checkPage(olu, 'invite-accept');
  await olu.fill('#f-name', ORDERER.name);
  await olu.fill('#f-password', PASSWORD);
  await olu.click('button:has-text("Create account and join")');
  await expect(olu).toHaveURL(/\/buyer$/);
  await expect(olu.locator('.alert-ok')).toContainText('Welcome to Team Bistro');
  // An orderer orders but is not shown invoices or the team.
  await expect(olu.locator('nav a[href="/cart"]')).toHaveCount(1);
  await expect(olu.locator('nav a[href="/invoices"]')).toHaveCount(0);
  await expect(olu.locator('nav a[href="/team"]')).toHaveCount(0);
  await checkPage(olu, 'orderer-home');

  // The owner makes them a viewer: the cart link goes at their next page.
  await page.reload();
  const row = page.locator('tr', { hasText: ORDERER.email });
  await row.locator('select').selectOption('viewer');
  await row.locator('button:has-text("Change")').click();
  await expect(page.locator('.alert-ok')).toContainText('Role changed to viewer');
  await olu.goto('/orders');
  await expect(olu.locator('nav a[href="/orders"]')).toHaveCount(1);
  await expect(olu.locator('nav a[href="/cart"]')).toHaveCount(0);

  // Removed: out at the next click.
  await page.locator('tr', { hasText: ORDERER.email }).locator('button:has-text("Remove")').click();
  await expect(page.locator('.alert-ok')).toContainText('Member removed');
  const res = await olu.goto('/orders');
  expect(res.status()).toBe(404);

  // The owner's audit log has each step, newest first.
  await page.click('text=Audit log');
  await expect(page.locator('table')).toContainText('member.removed');
  await expect(page.locator('table')).toContainText('member.role_changed');
  await expect(page.locator('table')).toContainText('invite.accepted');
  await checkPage(page, 'audit-log');
  await owner.close();
  await invitee.close();
});

test('a member of two businesses switches between them', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await logIn(page, OWNER.email, PASSWORD);
  // The owner joins a second business through its own invite: made here with a second owner.
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await p2.goto('/signup/buyer');
  await p2.fill('#f-name', 'Uma Other');
  await p2.fill('#f-email', 'uma@team-e2e.test');
  await p2.fill('#f-password', PASSWORD);
  await p2.fill('#f-business_name', 'Second Kitchen');
  await p2.fill('#f-address_line1', '1 Tooley Street');
  await p2.fill('#f-city', 'London');
  await p2.fill('#f-postcode', 'SE1 2TU');
  await p2.click('button:has-text("Create account")');
  await p2.goto('/team');
  await p2.fill('#f-email', OWNER.email);
  await p2.check('#invite-role-manager');
  await p2.click('button:has-text("Send invite")');
  const mail = await waitForEmail(MAILDEV, (m) => m.subject && m.subject.includes('Second Kitchen'));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invites\/[0-9a-f]{64}/) || [])[0];
  await page.goto(link);
  await page.click('button:has-text("Join Second Kitchen")');
  await expect(page.locator('nav')).toContainText('Second Kitchen');
  await page.goto('/organisations');
  await checkPage(page, 'organisations');
  await page.click(`button:has-text("Switch")`);
  await expect(page.locator('.alert-ok')).toContainText(`working for ${OWNER.business}`);
  await expect(page.locator('nav')).toContainText(OWNER.business);
  await ctx.close();
  await other.close();
});

/// Joins from the newest invite email to `email`, creating an account; returns the page.
async function joinFromEmail(browser, email, name) {
  const mail = await waitForEmail(MAILDEV, (m) => (m.to || []).some((t) => t.address === email) && m.subject.includes('invited you'));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invites\/[0-9a-f]{64}/) || [])[0];
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(link);
  await page.fill('#f-name', name);
  await page.fill('#f-password', PASSWORD);
  await page.click('button:has-text("Create account and join")');
  await expect(page).toHaveURL(/\/buyer$/);
  return { ctx, page };
}

test('an order over the orderer\'s limit waits until a manager approves it from the email', async ({ browser }) => {
  const owner = await browser.newContext();
  const page = await owner.newPage();
  await logIn(page, OWNER.email, PASSWORD);
  await page.goto('/organisations');
  const switchTo = page.locator('li', { hasText: OWNER.business }).locator('button:has-text("Switch")');
  if (await switchTo.count()) await switchTo.click();
  for (const [email, role] of [['maya@team-e2e.test', 'manager'], ['omar@team-e2e.test', 'orderer']]) {
    await page.goto('/team');
    await page.fill('#f-email', email);
    await page.check(`#invite-role-${role}`);
    await page.click('button:has-text("Send invite")');
    await expect(page.locator('.alert-ok')).toContainText(`Invite sent to ${email}`);
  }
  const maya = await joinFromEmail(browser, 'maya@team-e2e.test', 'Maya Manager');
  const omar = await joinFromEmail(browser, 'omar@team-e2e.test', 'Omar Orderer');

  await page.goto('/team');
  const limits = page.locator('section', { hasText: 'Spending limits: Omar Orderer' });
  await limits.locator('input[name=order_limit]').fill('1');
  await limits.locator('button:has-text("Save limits")').click();
  await expect(page.locator('.alert-ok')).toContainText('Spending limits saved');
  await checkPage(page, 'team-limits');

  // Maya keeps her approval queue open; Omar's order appears in it by itself.
  const m = maya.page;
  await m.goto('/approvals');
  await expect(m.locator('#order-list')).toContainText('No orders match these filters');
  await m.evaluate(() => { window.stillTheSamePage = true; });

  const o = omar.page;
  await o.goto('/providers/comma-bakery');
  const bread = o.locator('tr', { hasText: 'Sourdough' });
  await bread.locator('input[name=quantity]').fill('3');
  await bread.locator('button:has-text("Add")').click();
  await expect(o.locator('#cart-badge')).toHaveText('Cart (1)');
  await o.click('#cart-badge');
  await o.click('text=Checkout');
  await o.click('button:has-text("Place order")');
  await expect(o.locator('.alert-ok')).toContainText('Order saved for approval');
  await expect(o.locator('#order-status')).toContainText('Awaiting approval');
  await checkPage(o, 'order-awaiting-approval');
  await expect(m.locator('#order-list')).toContainText('Awaiting approval');
  expect(await m.evaluate(() => window.stillTheSamePage)).toBe(true);
  await checkPage(m, 'approvals-live');

  const mail = await waitForEmail(MAILDEV, (m) => (m.to || []).some((t) => t.address === 'maya@team-e2e.test') && m.subject.includes('needs your approval'));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/orders\/[0-9a-f-]{36}/) || [])[0];
  expect(link, 'order link in the approval email').toBeTruthy();
  await m.goto(link);
  await expect(m.locator('#order-status')).toContainText('Awaiting approval');
  await checkPage(m, 'order-approve');
  await m.click('button:has-text("Approve and send to the provider")');
  await expect(m.locator('#order-status')).toContainText('Awaiting confirmation');
  await expect(m.locator('#order-status')).toContainText('Approved and sent to the provider');
  await owner.close();
  await maya.ctx.close();
  await omar.ctx.close();
});

test('a provider\'s dispatcher delivers an order but has no catalogue to change', async ({ browser }) => {
  const owner = await browser.newContext();
  const page = await owner.newPage();
  await logIn(page, 'bakery@e2e.test', PASSWORD);
  await page.goto('/team');
  await page.fill('#f-email', 'dee@team-e2e.test');
  await page.check('#invite-role-staff');
  await page.click('button:has-text("Send invite")');
  await expect(page.locator('.alert-ok')).toContainText('Invite sent to dee@team-e2e.test');
  // The approved order from the last scenario is waiting at the bakery: confirm it.
  await page.goto('/provider/orders?status=submitted');
  await page.locator('table a').first().click();
  await page.click('button:has-text("Confirm order")');
  await expect(page.locator('#order-status')).toContainText('Confirmed');
  const orderUrl = page.url();

  const mail = await waitForEmail(MAILDEV, (m) => (m.to || []).some((t) => t.address === 'dee@team-e2e.test'));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invites\/[0-9a-f]{64}/) || [])[0];
  const ctx = await browser.newContext();
  const dee = await ctx.newPage();
  await dee.goto(link);
  await dee.fill('#f-name', 'Dee Dispatcher');
  await dee.fill('#f-password', PASSWORD);
  await dee.click('button:has-text("Create account and join")');
  await expect(dee).toHaveURL(/\/provider$/);
  await expect(dee.locator('nav a[href="/provider/products"]')).toHaveCount(0);
  await checkPage(dee, 'dispatcher-home');
  const res = await dee.goto('/provider/products');
  expect(res.status()).toBe(404);

  await dee.goto(orderUrl);
  await expect(dee.locator('button:has-text("Confirm order")')).toHaveCount(0);
  await dee.fill('#received', 'Chef Omar');
  await dee.click('button:has-text("Mark delivered")');
  await expect(dee.locator('#order-status')).toContainText('Delivered');
  await checkPage(dee, 'dispatcher-delivered');
  await owner.close();
  await ctx.close();
});
