// The web app in a real browser (headless Chromium driven by playwright-core), against the real
// `histo` server on a fresh SQLite database filled with known events.
//
//   node --test tests/browser/
//
// Uses the debug binary that `cargo test` builds ($HISTO_BIN, else $CARGO_TARGET_DIR/debug/histo,
// else target/debug/histo) and the web app in frontend/dist (scripts/build-web.sh). Screenshots go to
// test-output/. Speed figures are printed, never asserted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chartPoint, chartReady, chartSeries, histo as runHisto, launchChromium, mintToken, root, startHisto,
} from './histo.mjs';

const secret = 'browser-test-secret-0123456789abcdef0123456789';
const shots = path.join(root, 'test-output');
const company = 'ACME';
const today = new Date();
// The year of the known data: this one once the months used below (January to May) are past, so
// that no event lies in the future; the overview's cards count the calendar's current year.
const year = today.getMonth() >= 5 ? today.getFullYear() : today.getFullYear() - 1;
const Y = String(year);
const dataIsThisYear = year === today.getFullYear();

let server, base, work, browser;
const figures = {};

const database = () => path.join(work, 'histo.db');

/** Runs `histo` on the test's database with the test's secret. */
function histo(args, input) {
  return runHisto(database(), secret, args, input);
}

function token(scope, user = 'ADMIN') {
  return mintToken(database(), secret, company, scope, user);
}

async function api(method, url, tok, body) {
  const response = await fetch(base + url, {
    method,
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, json, text };
}

let n = 0;
function event(feature, outcome, site, at, extra = {}) {
  n += 1;
  return { feature, outcome, site, user_code: `U${n}`, occurred_at: at, ...extra };
}

// The known data: email in March of the data's year (3 sent, 2 errors, 1 stopped), one in April that is
// sent at 23:30 UTC on 31 March (April in Paris), one in May; 4 the year before; DEA updates.
const events = [
  event('email', 'success', 'LYON', `${Y}-03-02T09:00:00+01:00`),
  event('email', 'success', 'LYON', `${Y}-03-10T10:00:00+01:00`),
  event('email', 'success', 'PARIS', `${Y}-03-11T11:00:00+01:00`),
  event('email', 'error', 'LYON', `${Y}-03-12T12:00:00+01:00`, { cause: 'configuration', code: 'SMTP_AUTH' }),
  event('email', 'error', 'PARIS', `${Y}-03-13T13:00:00+01:00`, { cause: 'configuration', code: 'SMTP_DNS' }),
  event('email', 'stopped', 'PARIS', `${Y}-03-14T14:00:00+01:00`),
  event('email', 'success', 'LYON', `${Y}-03-31T23:30:00Z`),
  event('email', 'success', 'PARIS', `${Y}-05-05T08:00:00+02:00`),
  ...[1, 2, 3, 4].map((d) => event('email', 'success', 'LYON', `${year - 1}-06-0${d}T08:00:00+02:00`)),
  event('dea_update', 'success', 'LYON', `${Y}-02-01T08:00:00+01:00`, { detail: { changed: 'code' } }),
  event('dea_update', 'success', 'PARIS', `${Y}-02-02T08:00:00+01:00`, { detail: { changed: 'amount' } }),
  // Older than the 24 months kept by default: acknowledged as expired, neither stored nor counted,
  // and its drill-down says that the details were purged.
  event('email', 'success', 'LYON', `${year - 3}-06-01T08:00:00+02:00`),
  // More than a page of entries.
  ...Array.from({ length: 60 }, (_, i) =>
    event('sms', 'success', 'LYON', `${Y}-01-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i).padStart(2, '0')}:00+01:00`)),
];

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'histo-browser-'));
  mkdirSync(shots, { recursive: true });
  ({ base, process: server } = await startHisto(database(), secret));
  const writer = token('events:write');
  const recorded = await api('POST', '/api/v1/events', writer, { events });
  assert.equal(recorded.status, 200, recorded.text);
  assert.deepEqual(recorded.json, { accepted: events.length - 1, duplicates: 0, expired: 1 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
  if (Object.keys(figures).length) {
    console.log('\nweb app speed (this machine, not asserted):');
    for (const [name, ms] of Object.entries(figures)) console.log(`  ${name.padEnd(44)} ${ms.toFixed(0)} ms`);
  }
});

/** The count in the table cell of a period and outcome (`total` for the row's total). */
async function cell(page, period, outcome) {
  const count = await page.locator(`#stats-table td[data-period="${period}"][data-outcome="${outcome}"]`)
    .getAttribute('data-count');
  return Number(count);
}

/** Collects what the page's Content-Security-Policy blocked (Chromium says so on the console). */
function watchContentSecurityPolicy(page, problems) {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
}

test('the web app: sign-in, chart, drill-down, table, years, back button, sites, English', async () => {
  const everything = token('logs:read sites:manage settings:admin');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  watchContentSecurityPolicy(page, problems);

  // Sign in by the address fragment: the chart of the e-mails month by month appears, the token leaves the URL.
  const opened = Date.now();
  await page.goto(`${base}/?feature=email&granularity=month&year=${Y}#access_token=${everything}`);
  await chartReady(page);
  figures['page opened → chart drawn (test clock)'] = Date.now() - opened;
  figures['page opened → chart drawn (browser clock)'] = Number(await page.getAttribute('#chart', 'data-drawn-at'));
  assert.ok(!page.url().includes('access_token'), `token left in the address bar: ${page.url()}`);
  await page.waitForSelector('.card[data-feature="email"]');
  assert.equal(await page.locator('.card').count(), 8, 'the eight features');
  if (dataIsThisYear) {
    assert.equal(await page.locator('.card[data-feature="email"]').getAttribute('data-total'), '8');
    assert.equal(await page.locator('.card[data-feature="dea_update"]').getAttribute('data-total'), '2');
  }

  // Bar heights: success, error, stopped per month (31 March 23:30 UTC counts in April).
  const series = await chartSeries(page);
  assert.deepEqual(series.map((s) => s.slice(0, 6)), [
    [0, 0, 3, 1, 1, 0],
    [0, 0, 2, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
  ]);
  await page.screenshot({ path: path.join(shots, '1-dashboard-chart.png'), fullPage: true });

  // A real mouse click on the error segment of March: exactly its two entries appear.
  const target = await chartPoint(page, 2, 3 + 2 / 2);
  const clicked = Date.now();
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  figures['click on a bar → entries shown'] = Date.now() - clicked;
  const rows = page.locator('#entries tbody tr');
  assert.equal(await rows.count(), 2);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)), ['error', 'error']);
  const text = await page.locator('#entries tbody').innerText();
  assert.match(text, /SMTP_AUTH/);
  assert.match(text, /SMTP_DNS/);
  assert.match(text, /13\/03\/\d{4}/, 'French dates');
  assert.match(page.url(), new RegExp(`period=${Y}-03&outcome=error`));
  await page.screenshot({ path: path.join(shots, '2-drill-down.png'), fullPage: true });

  // CSV download of the same entries, fetched with the token.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csvPath = path.join(work, 'export.csv');
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath, 'utf8');
  assert.ok(csv.startsWith('\ufeff'), 'BOM for French spreadsheets');
  assert.equal(csv.trim().split('\n').length, 3, csv);
  assert.match(csv, /;/);

  // The table view, the accessible twin of the chart.
  await page.click('#show-table');
  await page.waitForSelector('#stats-table');
  assert.equal(await cell(page, `${Y}-03`, 'success'), 3);
  assert.equal(await cell(page, `${Y}-03`, 'error'), 2);
  assert.equal(await cell(page, `${Y}-03`, 'total'), 6);
  assert.equal(await cell(page, `${Y}-04`, 'success'), 1);
  await page.screenshot({ path: path.join(shots, '3-table.png'), fullPage: true });

  // Years: the data's year 8, the year before 4.
  await page.click('#by-year');
  await page.waitForSelector(`#stats-table td[data-period="${Y}"][data-outcome="total"]`);
  assert.equal(await cell(page, Y, 'total'), 8);
  assert.equal(await cell(page, String(year - 1), 'total'), 4);
  assert.equal(await page.locator('#entries').count(), 0, 'changing the span closes the entries');
  await page.screenshot({ path: path.join(shots, '4-years-table.png'), fullPage: true });

  // Back: the months again, then the drill-down comes back too; a reload shows the same screen.
  await page.goBack();
  await page.waitForSelector(`#stats-table td[data-period="${Y}-03"]`);
  assert.equal(await page.locator('#by-month').getAttribute('aria-pressed'), 'true');
  await page.goBack();
  await chartReady(page);
  await page.goForward();
  await page.waitForSelector(`#stats-table td[data-period="${Y}-03"]`);
  await page.reload();
  await page.waitForSelector(`#stats-table td[data-period="${Y}-03"]`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await page.locator('#entries tbody tr').count(), 2, 'the shared link opens the same entries');
  assert.equal(await cell(page, `${Y}-03`, 'total'), 6);

  // Hide the site PARIS on the sites page and see the figures change.
  await page.click('nav a[href="/sites"]');
  await page.waitForSelector('#sites-table tr[data-site="PARIS"]');
  await page.click('#sites-table tr[data-site="PARIS"] .site-toggle');
  await page.waitForSelector('#sites-table tr[data-site="PARIS"][data-hidden="true"]');
  await page.screenshot({ path: path.join(shots, '5-sites.png'), fullPage: true });
  await page.goBack();
  await page.waitForSelector('#hidden-badge');
  assert.equal(await page.locator('#hidden-badge').getAttribute('data-count'), '1');
  await page.waitForFunction((period) => document.querySelector(
    `#stats-table td[data-period="${period}"][data-outcome="total"]`)?.dataset.count === '3', `${Y}-03`);
  assert.equal(await cell(page, `${Y}-03`, 'success'), 2);
  await page.screenshot({ path: path.join(shots, '6-site-hidden.png'), fullPage: true });
  await api('PATCH', '/api/v1/sites/PARIS', everything, { hidden: false });

  // English, kept across a reload.
  await page.click('#lang-switch');
  await page.waitForSelector('#show-chart:has-text("Chart")');
  await page.reload();
  await page.waitForSelector('#show-chart:has-text("Chart")');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('#show-chart');
  await chartReady(page);
  await page.screenshot({ path: path.join(shots, '7-english.png'), fullPage: true });

  // Sign-out: the sign-in page, the page state kept in the URL.
  const before = page.url();
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in-form');
  assert.equal(page.url(), before);
  await page.screenshot({ path: path.join(shots, '8-sign-in.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the chart by keyboard: arrows choose a segment, Enter lists its entries', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/?feature=email&granularity=month&year=${Y}#access_token=${token('logs:read')}`);
  await chartReady(page);
  // Tab from the month/year buttons reaches the chart.
  await page.focus('#by-month');
  for (let tabs = 0; tabs < 12 && await page.evaluate(() => document.activeElement?.id !== 'chart'); tabs += 1) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'chart', 'the chart takes the focus');
  // January success first; two steps right is March, one up is its errors.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  assert.match(await page.locator('#chart-choice').innerText(), /^mars \d{4} — En erreur : 2$/);
  await page.screenshot({ path: path.join(shots, '14-chart-keyboard.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.deepEqual(await page.locator('#entries tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)),
    ['error', 'error']);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'entries-title', 'focus on the list opened');
  assert.match(page.url(), new RegExp(`period=${Y}-03&outcome=error`));
  await context.close();
});

test('the sites page: rename a site', async () => {
  const manager = token('logs:read sites:manage');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/sites#access_token=${manager}`);
  await page.click('#sites-table tr[data-site="LYON"] .site-rename');
  await page.fill('#sites-table tr[data-site="LYON"] input[name="name"]', 'Lyon — Part-Dieu');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#sites-table tr[data-site="LYON"] .site-name')
    ?.textContent === 'Lyon — Part-Dieu');
  const sites = await api('GET', '/api/v1/sites', manager);
  assert.equal(sites.json.find((site) => site.code === 'LYON').name, 'Lyon — Part-Dieu');
  // An empty name is refused by the form itself, and nothing changes.
  await page.click('#sites-table tr[data-site="LYON"] .site-rename');
  await page.fill('#sites-table tr[data-site="LYON"] input[name="name"]', '');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#sites-table tr[data-site="LYON"] input[name="name"]').count(), 1, 'still editing');
  await page.screenshot({ path: path.join(shots, '15-site-rename.png'), fullPage: true });
  await context.close();
});

test('a refused token brings back the sign-in page, keeping the page state', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/?feature=sms&granularity=month&year=${Y}&view=table#access_token=not.a.token`);
  await page.waitForSelector('#sign-in-form');
  await page.waitForSelector('.sign-in .note');
  assert.match(page.url(), /feature=sms&granularity=month/);
  // Signing in again (by the host application's link) shows the same screen.
  await page.goto(`${base}/?feature=sms&granularity=month&year=${Y}&view=table#access_token=${token('logs:read')}`);
  await page.waitForSelector('#stats-table');
  assert.equal(await page.locator('.card[data-feature="sms"]').getAttribute('aria-pressed'), 'true');
  // Without sites:manage and settings:admin, their pages are not offered.
  assert.equal(await page.locator('nav a[href="/sites"]').count(), 0);
  assert.equal(await page.locator('nav a[href="/settings"]').count(), 0);
  await context.close();
});

test('more entries on demand, and a purged period says so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/?feature=sms&granularity=month&year=${Y}&period=${Y}-01#access_token=${token('logs:read')}`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await page.locator('#entries tbody tr').count(), 50);
  await page.click('#more-entries');
  await page.waitForFunction(() => document.querySelectorAll('#entries tbody tr').length === 60);
  assert.equal(await page.locator('#more-entries').count(), 0, 'no more pages');
  const ids = await page.locator('#entries tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.equal(new Set(ids).size, 60, 'no entry twice');
  await page.goto(`${base}/?feature=email&granularity=year&from=${year - 4}&to=${Y}&period=${year - 3}`);
  await page.waitForSelector('#entries[data-state="ready"] #purged');
  await page.screenshot({ path: path.join(shots, '10-purged.png'), fullPage: true });
  await context.close();
});

test('a phone-sized screen shows the dashboard and its entries', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${base}/?feature=email&granularity=month&year=${Y}&period=${Y}-03&outcome=success#access_token=${token('logs:read')}`);
  await chartReady(page);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await page.locator('#entries tbody tr').count(), 3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: path.join(shots, '9-phone.png'), fullPage: true });
  await context.close();
});

test('the settings page: a wrong then a right admin password', async () => {
  const admin = token('logs:read settings:admin');
  const set = histo(['admin-password', '--company', company], 'right-password\n');
  assert.equal(set.status, 0, set.stderr);
  // More than a page (50) of audit entries: sites hidden and shown again.
  const manager = token('sites:manage');
  for (let i = 0; i < 30; i += 1) {
    for (const hidden of [true, false]) {
      assert.equal((await api('PATCH', '/api/v1/sites/LYON', manager, { hidden })).status, 200);
    }
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/settings#access_token=${admin}`);
  await page.waitForSelector('#settings[data-retention="24"]');
  await page.click('#change-retention');
  await page.fill('#retention-dialog input[name="months"]', '36');
  await page.fill('#retention-dialog input[name="admin_password"]', 'wrong-password');
  await page.click('#retention-dialog button[type="submit"]');
  await page.waitForSelector('#retention-error');
  await page.screenshot({ path: path.join(shots, '11-settings-wrong-password.png'), fullPage: true });
  await page.fill('#retention-dialog input[name="admin_password"]', 'right-password');
  await page.click('#retention-dialog button[type="submit"]');
  await page.waitForSelector('#settings[data-retention="36"]');
  await page.screenshot({ path: path.join(shots, '12-settings.png'), fullPage: true });

  // The audit trail, newest first, page after page until the API has no more.
  let trail = 0;
  for (let cursor = null, first = true; first || cursor; first = false) {
    const page = await api('GET', `/api/v1/audit${cursor ? `?cursor=${cursor}` : ''}`, admin);
    trail += page.json.items.length;
    cursor = page.json.next_cursor;
  }
  assert.ok(trail > 60, `${trail} audit entries`);
  const auditRows = page.locator('#audit-table tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr').length === 50);
  assert.match(await auditRows.first().innerText(), /conservation/i, 'the retention change first');
  while (await page.locator('#more-audit').count() > 0) {
    const shown = await auditRows.count();
    await page.click('#more-audit');
    await page.waitForFunction((n) => document.querySelectorAll('#audit-table tbody tr').length > n, shown);
  }
  assert.equal(await auditRows.count(), trail);
  await context.close();
});

test('the sign-in page: a wrong then a right password', async () => {
  const add = histo(['user', 'add', '--company', company, '--user', 'MARIE', '--scope', 'logs:read'], 'marie-password\n');
  assert.equal(add.status, 0, add.stderr);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/?feature=vies&granularity=year&from=${year - 2}&to=${Y}`);
  await page.fill('input[name="company"]', company);
  await page.fill('input[name="user_code"]', 'MARIE');
  await page.fill('input[name="password"]', 'not-her-password');
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForSelector('.sign-in .error');
  await page.screenshot({ path: path.join(shots, '13-sign-in-refused.png'), fullPage: true });
  await page.fill('input[name="password"]', 'marie-password');
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForSelector('#sign-in-form', { state: 'detached' }).catch(async (e) => {
    await page.screenshot({ path: path.join(shots, 'failed-sign-in.png'), fullPage: true });
    throw e;
  });
  await chartReady(page);
  assert.match(page.url(), /feature=vies&granularity=year/, 'the page asked for is the page shown');
  assert.equal(await page.locator('.card[data-feature="vies"]').getAttribute('aria-pressed'), 'true');
  await context.close();
});

test('the API documentation at /docs runs under its Content-Security-Policy', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  watchContentSecurityPolicy(page, problems);
  await page.goto(`${base}/docs/`);
  await page.waitForSelector('.swagger-ui .info .title');
  assert.match(await page.locator('.swagger-ui .info .title').innerText(), /Histo/);
  await page.waitForSelector('.opblock-summary-path[data-path="/api/v1/events"]');
  await page.screenshot({ path: path.join(shots, '16-api-docs.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
