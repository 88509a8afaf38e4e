// The web app in a real browser (headless Chromium driven by playwright-core), against the real
// `histo` server: each test has its own server and database holding the known events
// (fixture.mjs), so that the tests run in any order.
//
//   node --test tests/browser/
//
// Uses the debug binary that `cargo test` builds ($HISTO_BIN, else $CARGO_TARGET_DIR/debug/histo,
// else target/debug/histo) and the web app in frontend/dist (scripts/build-web.sh). Screenshots go to
// test-output/. Speed figures are printed, never asserted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chartPoint, chartReady, chartSeries, launchChromium } from './histo.mjs';
import { Y, cell, company, focusIsOn, newPage, openHisto, shots, year } from './fixture.mjs';

let browser;
const figures = {};

before(async () => { browser = await launchChromium(); });

after(async () => {
  await browser?.close();
  if (Object.keys(figures).length) {
    console.log('\nweb app speed (this machine, not asserted):');
    for (const [name, ms] of Object.entries(figures)) console.log(`  ${name.padEnd(44)} ${ms.toFixed(0)} ms`);
  }
});

test('the chart and its entries by mouse, the CSV, the table, years, the back button and a reload', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } }, { acceptDownloads: true });

  // Sign in by the address fragment: the chart of the e-mails month by month appears, the token leaves the URL.
  const opened = Date.now();
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  figures['page opened → chart drawn (test clock)'] = Date.now() - opened;
  figures['page opened → chart drawn (browser clock)'] = Number(await page.getAttribute('#chart', 'data-drawn-at'));
  assert.ok(!page.url().includes('access_token'), `token left in the address bar: ${page.url()}`);
  await page.waitForSelector('.card[data-feature="email"]');
  assert.equal(await page.locator('.card').count(), 8, 'the eight features');
  // The cards count the year shown: 8 e-mails and 2 DEA updates.
  assert.equal(await page.locator('.card[data-feature="email"]').getAttribute('data-total'), '8');
  assert.equal(await page.locator('.card[data-feature="dea_update"]').getAttribute('data-total'), '2');

  // Bar heights: success, error, stopped per month (31 March 23:30 UTC counts in April); nothing drawn for 0.
  const series = await chartSeries(page);
  assert.deepEqual(series.map((s) => s.slice(0, 6)), [
    [null, null, 3, 1, 1, null],
    [null, null, 2, null, null, null],
    [null, null, 1, null, null, null],
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
  const csv = readFileSync(await download.path(), 'utf8');
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
  assert.deepEqual(page.problems, []);
});

test('a site hidden on the sites page leaves the figures, saying so', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}&view=table#access_token=${app.token('logs:read sites:manage')}`);
  await page.waitForSelector(`#stats-table td[data-period="${Y}-03"]`);
  await page.click('nav a[href="/sites"]');
  await page.waitForSelector('#sites-table tr[data-site="PARIS"]');
  await page.click('#sites-table tr[data-site="PARIS"] .site-toggle');
  await page.waitForSelector('#sites-table tr[data-site="PARIS"][data-hidden="true"]');
  await page.screenshot({ path: path.join(shots, '5-sites.png'), fullPage: true });
  await page.goBack();
  await page.waitForSelector('#hidden-badge');
  assert.equal(await page.locator('#hidden-badge').getAttribute('data-count'), '1');
  assert.equal(await page.locator('#hidden-badge').innerText(), '1 site masqué, exclu des chiffres');
  await page.waitForFunction((period) => document.querySelector(
    `#stats-table td[data-period="${period}"][data-outcome="total"]`)?.dataset.count === '3', `${Y}-03`);
  assert.equal(await cell(page, `${Y}-03`, 'success'), 2);
  // The cards leave PARIS out too: 4 of the 8 e-mails of the year were sent from LYON.
  await page.waitForFunction(() => document.querySelector('.card[data-feature="email"]')?.dataset.total === '4');
  await page.screenshot({ path: path.join(shots, '6-site-hidden.png'), fullPage: true });
});

test('English is kept across a reload, and the chart speaks it at once', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  const chartTexts = () => page.evaluate(() => {
    const option = echarts.getInstanceByDom(document.getElementById('chart')).getOption();
    return { months: option.xAxis[0].data.slice(0, 3), legend: option.series.map((s) => s.name) };
  });
  assert.deepEqual(await chartTexts(), { months: ['janv.', 'févr.', 'mars'], legend: ['Envoyés', 'En erreur', 'Arrêtés par l’utilisateur'] });
  // The switch alone redraws the chart: months, legend and its accessible name.
  await page.click('#lang-switch');
  await page.waitForSelector('#show-chart:has-text("Chart")');
  await page.waitForFunction(() => echarts.getInstanceByDom(document.getElementById('chart')).getOption().xAxis[0].data[0] === 'Jan');
  assert.deepEqual(await chartTexts(), { months: ['Jan', 'Feb', 'Mar'], legend: ['Sent', 'Errors', 'Stopped by the user'] });
  assert.match(await page.getAttribute('#chart', 'aria-label'), /^Sending e-mails — \d{4} — Click or tap a bar/);
  await page.reload();
  await page.waitForSelector('#show-chart:has-text("Chart")');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await chartReady(page);
  await page.screenshot({ path: path.join(shots, '7-english.png'), fullPage: true });

  // Sign-out: the sign-in page, the page state kept in the URL.
  const before = page.url();
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in-form');
  assert.equal(page.url(), before);
  await page.screenshot({ path: path.join(shots, '8-sign-in.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('the chart by keyboard: arrows choose a segment, shown and announced, Enter lists its entries', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  await page.focus('#chart');
  // January success first; two steps right is March, one up is its errors.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.locator('#chart-choice').innerText(), `Sélection\u202f: mars ${Y} — En erreur\u202f: 2 (33,3\u202f%)`);
  assert.ok(await page.locator('#chart-choice').isVisible(), 'the choice is shown, not only announced');
  // The chosen segment is drawn with a dark border, as the mouse would highlight it.
  await page.waitForFunction(() => [...document.querySelectorAll('#chart svg path')]
    .some((p) => p.getAttribute('stroke') === '#1f2328' && p.getAttribute('stroke-width') === '3'));
  await page.screenshot({ path: path.join(shots, '14-chart-keyboard.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.deepEqual(await page.locator('#entries tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)),
    ['error', 'error']);
  await focusIsOn(page, '#entries-title', 'focus on the list opened');
  assert.match(page.url(), new RegExp(`period=${Y}-03&outcome=error`));
});

test('the sites page: rename a site', async (t) => {
  const app = await openHisto(t);
  const manager = app.token('logs:read sites:manage');
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/sites#access_token=${manager}`);
  await page.click('#sites-table tr[data-site="LYON"] .site-rename');
  await page.fill('#sites-table tr[data-site="LYON"] input[name="name"]', 'Lyon — Part-Dieu');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#sites-table tr[data-site="LYON"] .site-name')
    ?.textContent === 'Lyon — Part-Dieu');
  const sites = await app.api('GET', '/api/v1/sites', manager);
  assert.equal(sites.json.find((site) => site.code === 'LYON').name, 'Lyon — Part-Dieu');
  await focusIsOn(page, '#sites-table tr[data-site="LYON"] .site-rename', 'the focus is back on the button');
  // An empty name is refused by the form itself, and nothing changes.
  await page.click('#sites-table tr[data-site="LYON"] .site-rename');
  await page.fill('#sites-table tr[data-site="LYON"] input[name="name"]', '');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#sites-table tr[data-site="LYON"] input[name="name"]').count(), 1, 'still editing');
  await page.screenshot({ path: path.join(shots, '15-site-rename.png'), fullPage: true });
});

test('a refused link brings back the sign-in page, keeping the page state', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  // Signed by another secret: a token, but not Histo's.
  const forged = app.histo(['token', '--company', company, '--user', 'X', '--scope', 'logs:read']);
  const stranger = forged.stdout.trim().replace(/\.[^.]*$/, '.c2lnbmF0dXJl');
  await page.goto(`${app.base}/?feature=sms&granularity=month&year=${Y}&view=table#access_token=${stranger}`);
  await page.waitForSelector('#sign-in-form');
  assert.match(await page.locator('#sign-in-note').innerText(), /^Ce lien de connexion n’est pas valide/);
  assert.match(page.url(), /feature=sms&granularity=month/);
  // Signing in again (by the host application's link) shows the same screen.
  await page.goto(`${app.base}/?feature=sms&granularity=month&year=${Y}&view=table#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#stats-table');
  assert.equal(await page.locator('.card[data-feature="sms"]').getAttribute('aria-pressed'), 'true');
  // Without sites:manage and settings:admin, their pages are not offered.
  assert.equal(await page.locator('nav a[href="/sites"]').count(), 0);
  assert.equal(await page.locator('nav a[href="/settings"]').count(), 0);
});

test('more entries on demand, and a purged period says so', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=sms&granularity=month&year=${Y}&period=${Y}-01#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await page.locator('#entries tbody tr').count(), 50);
  await page.click('#more-entries');
  await page.waitForFunction(() => document.querySelectorAll('#entries tbody tr').length === 60);
  assert.equal(await page.locator('#more-entries').count(), 0, 'no more pages');
  const ids = await page.locator('#entries tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.equal(new Set(ids).size, 60, 'no entry twice');
  await page.goto(`${app.base}/?feature=email&granularity=year&from=${year - 4}&to=${Y}&period=${year - 3}`);
  await page.waitForSelector('#entries[data-state="ready"] #purged');
  await page.screenshot({ path: path.join(shots, '10-purged.png'), fullPage: true });
});

test('the settings page: a wrong then a right admin password, the audit trail page by page', async (t) => {
  const app = await openHisto(t);
  const admin = app.token('logs:read settings:admin');
  const set = app.histo(['admin-password', '--company', company], 'right-password\n');
  assert.equal(set.status, 0, set.stderr);
  // More than a page (50) of audit entries: sites hidden and shown again.
  const manager = app.token('sites:manage');
  for (let i = 0; i < 30; i += 1) {
    for (const hidden of [true, false]) {
      assert.equal((await app.api('PATCH', '/api/v1/sites/LYON', manager, { hidden })).status, 200);
    }
  }
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${app.base}/settings#access_token=${admin}`);
  await page.waitForSelector('#settings[data-retention="24"]');
  await page.click('#change-retention');
  await page.fill('#retention-dialog input[name="months"]', '36');
  await page.waitForSelector('#retention-preview');
  await page.fill('#retention-dialog input[name="admin_password"]', 'wrong-password');
  await page.click('#retention-dialog button[type="submit"]');
  await page.waitForSelector('#retention-error');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'admin_password', 'the focus stays on the password');
  await page.screenshot({ path: path.join(shots, '11-settings-wrong-password.png'), fullPage: true });
  await page.fill('#retention-dialog input[name="admin_password"]', 'right-password');
  await page.click('#retention-dialog button[type="submit"]');
  await page.waitForSelector('#settings[data-retention="36"]');
  await focusIsOn(page, '#change-retention', 'the focus is back on the button');
  await page.screenshot({ path: path.join(shots, '12-settings.png'), fullPage: true });

  // The audit trail, newest first, page after page until the API has no more.
  let trail = 0;
  for (let cursor = null, first = true; first || cursor; first = false) {
    const answer = await app.api('GET', `/api/v1/audit${cursor ? `?cursor=${cursor}` : ''}`, admin);
    trail += answer.json.items.length;
    cursor = answer.json.next_cursor;
  }
  assert.ok(trail > 60, `${trail} audit entries`);
  const auditRows = page.locator('#audit-table tbody tr');
  await page.waitForFunction(() => document.querySelector('#audit-table tbody tr')?.dataset.action === 'retention_changed');
  assert.equal(await auditRows.count(), 50);
  assert.match(await auditRows.first().innerText(), /De 24 mois à 36 mois\./, 'the retention change first, in words');
  while (await page.locator('#more-audit').count() > 0) {
    const shown = await auditRows.count();
    await page.click('#more-audit');
    // The focus goes on to the first new entry, never back to the page's body.
    await page.waitForFunction((n) => document.activeElement === document.querySelectorAll('#audit-table tbody tr')[n], shown);
  }
  assert.equal(await auditRows.count(), trail);
});

test('the sign-in page: a wrong then a right password', async (t) => {
  const app = await openHisto(t);
  const add = app.histo(['user', 'add', '--company', company, '--user', 'MARIE', '--scope', 'logs:read'], 'marie-password\n');
  assert.equal(add.status, 0, add.stderr);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=vies&granularity=year&from=${year - 2}&to=${Y}`);
  await page.fill('input[name="company"]', company);
  await page.fill('input[name="user_code"]', 'MARIE');
  await page.fill('input[name="password"]', 'not-her-password');
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForSelector('.sign-in .error');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'password', 'the focus stays on the password');
  await page.screenshot({ path: path.join(shots, '13-sign-in-refused.png'), fullPage: true });
  await page.fill('input[name="password"]', 'marie-password');
  await page.click('#sign-in-form button[type="submit"]');
  await page.waitForSelector('#sign-in-form', { state: 'detached' });
  await chartReady(page);
  assert.match(page.url(), /feature=vies&granularity=year/, 'the page asked for is the page shown');
  assert.equal(await page.locator('.card[data-feature="vies"]').getAttribute('aria-pressed'), 'true');
});

test('the API documentation at /docs runs under its Content-Security-Policy', async (t) => {
  const app = await openHisto(t, { events: [] });
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${app.base}/docs/`);
  await page.waitForSelector('.swagger-ui .info .title');
  assert.match(await page.locator('.swagger-ui .info .title').innerText(), /Histo/);
  await page.waitForSelector('.opblock-summary-path[data-path="/api/v1/events"]');
  await page.screenshot({ path: path.join(shots, '16-api-docs.png') });
  assert.deepEqual(page.problems, []);
});

test('entries show the company’s time, whatever the browser’s time zone', async (t) => {
  const app = await openHisto(t);
  // A user travelling in New York still reads the times of the company in Paris.
  const page = await newPage(browser, t, undefined, { timezoneId: 'America/New_York' });
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}&period=${Y}-04#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  // 23:30 UTC on 31 March: 01:30 on 1 April in Paris (19:30 on 31 March in New York).
  assert.equal(await page.locator('#entries tbody tr td').first().innerText(), `01/04/${Y} 01:30:00`);
});
