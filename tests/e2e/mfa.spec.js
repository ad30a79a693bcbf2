// Two-step verification in a real browser: a buyer scans (reads) the key, turns it on with
// a code computed here as an authenticator app would (RFC 6238), keeps the recovery codes,
// and the next login asks for a code before anything else; the sessions page lists them.
const crypto = require('crypto');
const { test, expect } = require('@playwright/test');
const { checkPage, logIn } = require('./helpers');

const PASSWORD = 'e2e-password-2026!';
const EMAIL = 'mfa@e2e.test';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, when = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = crypto.createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('a buyer turns on two-step verification and the next login asks for a code', async ({ page }) => {
  await page.goto('/signup/buyer');
  await page.fill('#f-name', 'Mia Secure');
  await page.fill('#f-email', EMAIL);
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-business_name', 'Secure Kitchen');
  await page.fill('#f-address_line1', '5 Borough High Street');
  await page.fill('#f-city', 'London');
  await page.fill('#f-postcode', 'SE1 9QL');
  await page.click('button:has-text("Create account")');
  await expect(page).toHaveURL(/\/buyer$/);

  await page.goto('/account');
  await page.click('text=Set up or manage two-step verification');
  await expect(page.locator('.qr svg')).toBeVisible();
  await checkPage(page, 'mfa-setup');
  const key = (await page.locator('#mfa-secret').textContent()).trim();
  await page.fill('#f-code', '000000');
  await page.fill('#f-password', PASSWORD);
  await page.click('button:has-text("Turn on")');
  await expect(page.locator('.alert-error')).toContainText("isn't right");
  await page.fill('#f-code', totp(base32Decode(key)));
  await page.fill('#f-password', PASSWORD);
  await page.click('button:has-text("Turn on")');
  await expect(page.locator('h1')).toHaveText('Your recovery codes');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  expect(codes).toHaveLength(10);
  await checkPage(page, 'mfa-recovery-codes');

  await page.click('button:has-text("Log out")');
  await logIn(page, EMAIL, PASSWORD);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await checkPage(page, 'login-second-step');
  await page.fill('#f-code', codes[0]);
  await page.click('button:has-text("Verify")');
  await expect(page).toHaveURL(/\/buyer$/);

  // Where they're logged in: this browser, marked as this device.
  await page.goto('/account');
  await expect(page.locator('#f-code')).toBeVisible();
  await checkPage(page, 'account-with-mfa');
  await page.click("text=See where you're logged in");
  await expect(page.locator('table')).toContainText('This device');
  await checkPage(page, 'account-sessions');
});
