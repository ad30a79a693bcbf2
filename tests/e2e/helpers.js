// Shared steps: every page the suite visits is checked with axe (no serious or critical
// violations), saved for the Nu HTML checker (run.sh validates them all at the end), and
// photographed at desktop and phone widths for reviewers.
const fs = require('fs');
const path = require('path');
const { expect } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');

const RESULTS = path.join(__dirname, 'results');
fs.mkdirSync(path.join(RESULTS, 'html'), { recursive: true });
fs.mkdirSync(path.join(RESULTS, 'screenshots'), { recursive: true });

let counter = 0;

/// `scripts: false` for pages opened with JavaScript off: axe runs as page script, so those
/// pages get the HTML check and screenshots only (the same templates are axe-checked with JS).
async function checkPage(page, name, { scripts = true } = {}) {
  counter += 1;
  const slug = `${String(counter).padStart(2, '0')}-${name}`;
  if (scripts) {
    const axe = await new AxeBuilder({ page }).analyze();
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `axe on ${name}`).toEqual([]);
  }
  fs.writeFileSync(path.join(RESULTS, 'html', `${slug}.html`), await page.content());
  const size = page.viewportSize() || { width: 1280, height: 900 };
  await page.screenshot({ path: path.join(RESULTS, 'screenshots', `${slug}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Every page fits a phone: nothing makes the whole page scroll sideways (wide tables
  // scroll inside their own box).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways at 390 px by ${overflow} px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(RESULTS, 'screenshots', `${slug}-390.png`), fullPage: true });
  await page.setViewportSize(size);
}

async function logIn(page, email, password) {
  await page.goto('/login');
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await page.click('button:has-text("Log in")');
}

/// Waits for an email to reach the SMTP catcher (the app's worker sends it) and returns it.
async function waitForEmail(maildev, predicate) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${maildev}/api/email`);
    if (res.ok) {
      const mails = await res.json();
      const found = mails.find(predicate);
      if (found) return found;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('email did not arrive within 30 s');
}

/// Opens the "confirm your email address" link sent to `email` in `page` (buyers confirm
/// before their first order).
async function confirmEmail(page, maildev, email) {
  const mail = await waitForEmail(maildev, (m) => m.subject === 'Confirm your email address for Larder' && (m.to || []).some((t) => t.address === email));
  const link = (mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/verify-email\/[0-9a-f]{64}/) || [])[0];
  if (!link) throw new Error('no confirmation link in the email');
  await page.goto(link);
  await expect(page.locator('.alert-ok')).toContainText('email address is confirmed');
}

module.exports = { checkPage, confirmEmail, logIn, waitForEmail };
