// What a French office user must be able to trust (issue 16), one test per point: colours that
// colour-blind users tell apart, a retention change that says what it removes, cards that say what
// they count, a chart in the language chosen, a phone with touch, small segments and shares,
// keyboard and focus, periods, the entries panel, French typography, titles, and the smaller ones.
// Each test has its own server and database (fixture.mjs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chartPoint, chartReady, chartSeries, launchChromium, settledSeries } from './histo.mjs';
import {
  Y, addMonths, cell, company, desktop, focusIsOn, lastMonth, monthOf, newPage, openHisto, phone, shots,
  thisMonth, useLanguage, year, zone,
} from './fixture.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const thisYear = Number(thisMonth.slice(0, 4));
const frMonths = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const frShortMonths = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const monthName = (key) => `${frMonths[Number(key.slice(5)) - 1]} ${key.slice(0, 4)}`;
const shortMonth = (key) => `${frShortMonths[Number(key.slice(5)) - 1]} ${key.slice(0, 4)}`;
const fr = (n) => n.toLocaleString('fr-FR');
const NNBSP = '\u202f';

/** The option of the chart as ECharts holds it. */
const chartOption = (page) => page.evaluate(() => {
  const option = echarts.getInstanceByDom(document.getElementById('chart')).getOption();
  return { series: option.series, xAxis: option.xAxis[0], yAxis: option.yAxis[0], aria: [].concat(option.aria)[0] };
});

// Colour vision deficiency: Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB; the
// distance between two colours is CIE76 ΔE in CIELAB (D65). About 2.3 is just noticeable; the old
// green/red pair fell to 16 for deuteranopes, which is why the floor below is 25.
const MACHADO = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
};
const MIN_DISTANCE = 25;

function simulatedLab(hex, matrix) {
  const linear = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = matrix.map((row) => Math.min(1, Math.max(0, row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2])));
  const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = xyz.map(f);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function distance(a, b, matrix) {
  const [p, q] = [simulatedLab(a, matrix), simulatedLab(b, matrix)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

test('1. outcome colours stay apart for deuteranopes and protanopes, each with its pattern and borders', async (t) => {
  // The check itself tells the old green and red apart from a safe pair.
  assert.ok(distance('#2e7d32', '#c62828', MACHADO.deuteranopia) < MIN_DISTANCE, 'the old pair fails the check');
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=sirene&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  const option = await chartOption(page);
  const outcomes = ['success', 'no_result', 'error', 'stopped'];
  const colours = option.series.map((s) => s.itemStyle.color);
  assert.equal(colours.length, 4);
  for (const [vision, matrix] of Object.entries(MACHADO)) {
    let nearest = Infinity;
    for (let i = 0; i < colours.length; i += 1) {
      for (let j = i + 1; j < colours.length; j += 1) {
        const d = distance(colours[i], colours[j], matrix);
        nearest = Math.min(nearest, d);
        assert.ok(d >= MIN_DISTANCE, `${vision}: ${outcomes[i]} ${colours[i]} and ${outcomes[j]} ${colours[j]} are ${d.toFixed(1)} apart`);
      }
    }
    console.log(`  outcome colours, ${vision}: nearest pair ΔE ${nearest.toFixed(1)} (at least ${MIN_DISTANCE})`);
  }
  // A pattern of its own for each outcome (drawn: ECharts needs aria.decal on), and a white
  // border between segments.
  assert.equal(option.aria.decal.show, true);
  assert.equal(new Set(option.series.map((s) => JSON.stringify(s.itemStyle.decal))).size, 4);
  for (const series of option.series) {
    assert.equal(series.itemStyle.borderColor, '#ffffff');
    assert.ok(series.itemStyle.borderWidth >= 1);
  }
  // The same colours beside the table's headings and the entries' outcomes.
  await page.click('#show-table');
  await page.waitForSelector('#stats-table');
  const swatches = await page.locator('#stats-table thead .swatch').evaluateAll((spans) =>
    spans.map((s) => [s.dataset.outcome, getComputedStyle(s).backgroundColor]));
  assert.deepEqual(swatches, outcomes.map((o, i) => [o, rgb(colours[i])]));
  await page.click(`#stats-table td[data-period="${Y}-02"][data-outcome="error"] button`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await page.locator('#entries tbody .swatch').evaluate((s) => getComputedStyle(s).backgroundColor), rgb(colours[2]));
  await page.screenshot({ path: path.join(shots, 'colours-sirene.png'), fullPage: true });
});

test('2. shortening the retention says beforehand what it removes, asks to confirm, then shows it done', async (t) => {
  const app = await openHisto(t);
  const admin = app.token('logs:read settings:admin');
  assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
  const months = 6;
  const oldestKept = addMonths(thisMonth, -months);
  const removed = app.stored((e) => monthOf(e.occurred_at) < oldestKept).length;
  assert.ok(removed > 0);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/settings#access_token=${admin}`);
  await page.waitForSelector('#settings[data-retention="24"]');
  await page.click('#change-retention');
  await page.fill('#retention-dialog input[name="months"]', String(months));
  await page.waitForSelector(`#retention-preview[data-entries="${removed}"]`);
  assert.equal(await page.locator('#retention-preview').innerText(),
    `Les entrées antérieures à ${monthName(oldestKept)} (≈${NNBSP}${fr(removed)}) seront supprimées définitivement. `
    + 'Les totaux mensuels restent dans les statistiques.');
  assert.equal(await page.locator('#retention-dialog button[type="submit"]').innerText(), 'Supprimer et enregistrer');
  await page.screenshot({ path: path.join(shots, 'retention-preview.png'), fullPage: true });
  // Without the confirmation, nothing is sent.
  await page.fill('#retention-dialog input[name="admin_password"]', 'right-password');
  await page.click('#retention-dialog button[type="submit"]');
  assert.ok(await page.locator('#retention-dialog').evaluate((d) => d.open), 'the dialog stays open');
  assert.equal((await app.api('GET', '/api/v1/settings', admin)).json.retention_months, 24);
  await page.check('#retention-dialog input[name="confirm"]');
  await page.click('#retention-dialog button[type="submit"]');
  // Afterwards the page says what was removed, and shows the new settings and purge.
  await page.waitForFunction((text) => document.getElementById('retention-saved')?.textContent === text,
    `Enregistré${NNBSP}: ${fr(removed)} ${removed > 1 ? 'entrées supprimées' : 'entrée supprimée'}.`);
  await page.waitForSelector(`#settings[data-retention="${months}"]`);
  await page.waitForFunction((n) => document.getElementById('last-purge')?.textContent.endsWith(`(${n} entrées supprimées)`), fr(removed));
  await page.waitForSelector('#audit-table tbody tr[data-action="purge"]');
  assert.equal(await page.locator('#audit-table tbody tr[data-action="purge"] td').last().innerText(),
    `${fr(removed)} entrées supprimées, antérieures à ${monthName(oldestKept)}.`);
  await page.screenshot({ path: path.join(shots, 'retention-done.png'), fullPage: true });
  // A longer period says that nothing comes back, and asks no confirmation.
  await page.click('#change-retention');
  await page.fill('#retention-dialog input[name="months"]', '36');
  await page.waitForSelector('#retention-preview');
  assert.match(await page.locator('#retention-preview').innerText(), /^Les entrées seront gardées plus longtemps/);
  assert.equal(await page.locator('#retention-dialog input[name="confirm"]').count(), 0);
});

test('3. the cards say what they count and follow the period and the sites', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  const today = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short', timeZone: zone }).format(new Date())
    .replace(' ', '\u00a0');
  const total = (feature) => page.locator(`.card[data-feature="${feature}"]`).getAttribute('data-total');
  await page.goto(`${app.base}/#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('.card[data-feature="php_web_api"]');
  assert.equal(await page.locator('#uses-title').innerText(), `Utilisations sur les 12 derniers mois (au\u00a0${today}) · tous les sites`);
  assert.equal(await total('php_web_api'), '4');
  // A year: its totals; the DEA update cannot fail, so its card gives the pace instead of a rate.
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}`);
  const until = year === thisYear ? ` (au\u00a0${today})` : '';
  await page.waitForFunction((text) => document.getElementById('uses-title')?.textContent === text, `Utilisations en ${Y}${until} · tous les sites`);
  await page.waitForFunction(() => document.querySelector('.card[data-feature="email"]')?.dataset.total === '8');
  assert.equal(await page.locator('.card[data-feature="email"] .card-rate').innerText(), `62,5${NNBSP}% de réussite`);
  const months = year === thisYear ? Number(thisMonth.slice(5)) : 12;
  assert.equal(await page.locator('.card[data-feature="dea_update"] .card-rate').innerText(),
    `${(Math.round((2 / months) * 10) / 10).toLocaleString('fr-FR')} par mois en moyenne`);
  // One site: the cards count it alone, and say so.
  await page.click('#sites-button');
  await page.check('#site-list input[value="LYON"]');
  await page.waitForFunction(() => document.querySelector('.card[data-feature="email"]')?.dataset.total === '4');
  assert.equal(await page.locator('#uses-title').innerText(), `Utilisations en ${Y}${until} · site LYON`);
  // The year before.
  await page.click('#previous-period');
  await page.waitForFunction((y) => document.getElementById('uses-title')?.textContent === `Utilisations en ${y} · site LYON`, String(year - 1));
  await page.waitForFunction(() => document.querySelector('.card[data-feature="email"]')?.dataset.total === '4');
  assert.equal(await total('sms'), '0');
  await page.screenshot({ path: path.join(shots, 'cards-one-site.png'), fullPage: true });
});

test('4. the language switch redraws the chart in English at once (see also app.test.mjs)', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await useLanguage(page, 'fr');
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  await page.click('#lang-switch');
  await page.waitForFunction(() => echarts.getInstanceByDom(document.getElementById('chart')).getOption().series[0].name === 'Sent');
  const point = await chartPoint(page, 2, 1);
  await page.mouse.move(point.x, point.y);
  const tooltip = page.locator('#chart > div', { hasText: 'Total' });
  await tooltip.waitFor();
  assert.match(await tooltip.innerText(), new RegExp(`^Mar ${Y}\\s+Total: 6`));
});

test('5. on a phone, a tap opens the entries, the tooltip stays on screen, tables become cards', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t, phone);
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read sites:manage')}`);
  await chartReady(page);
  // Compact cards in one row, and the chart on the first screen.
  const tops = await page.locator('.card').evaluateAll((cards) => cards.map((c) => c.getBoundingClientRect().top));
  assert.equal(new Set(tops).size, 1, 'the cards are one row');
  const chartTop = (await page.locator('#chart').boundingBox()).y;
  assert.ok(chartTop < 740, `the chart starts at ${chartTop}px`);
  // Every first tap on a segment opens its entries: March's sent, errors and stopped, April, May.
  const [sent, errors] = await chartSeries(page);
  const taps = [[2, sent[2] / 2, 'success', 3], [2, sent[2] + errors[2] / 2, 'error', 2], [3, sent[3] / 2, 'success', 1], [4, sent[4] / 2, 'success', 1]];
  for (const [bar, value, outcome, count] of taps) {
    await page.locator('#chart').scrollIntoViewIfNeeded();
    const point = await chartPoint(page, bar, value);
    await page.touchscreen.tap(point.x, point.y);
    await page.waitForSelector('#entries[data-state="ready"] tbody tr');
    assert.match(page.url(), new RegExp(`outcome=${outcome}`));
    assert.equal(await page.locator('#entries tbody tr').count(), count);
    // The tooltip that the tap showed stays inside the screen.
    const tip = await page.evaluate(() => {
      const tooltip = [...document.querySelectorAll('#chart > div')].find((d) => d.style.zIndex === '9999999');
      const box = tooltip?.getBoundingClientRect();
      return box && tooltip.style.display !== 'none' ? { left: box.left, right: box.right } : null;
    });
    if (tip) assert.ok(tip.left >= 0 && tip.right <= 375, `tooltip from ${tip.left} to ${tip.right}`);
    await page.locator('#close-entries').tap();
    await page.waitForSelector('#entries', { state: 'detached' });
  }
  // The entries, the figures and the sites as cards: every cell named, nothing off-screen.
  await page.locator('#chart').scrollIntoViewIfNeeded();
  const point = await chartPoint(page, 2, sent[2] / 2);
  await page.touchscreen.tap(point.x, point.y);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  const widerThanScreen = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(await widerThanScreen() <= 0);
  assert.equal(await page.locator('#entries tbody tr').first().evaluate((tr) => getComputedStyle(tr).display), 'block');
  assert.equal(await page.locator('#entries tbody td[data-label="Site"]').first().evaluate((td) => getComputedStyle(td, '::before').content), '"Site"');
  await page.screenshot({ path: path.join(shots, 'phone-entries.png'), fullPage: true });
  await page.locator('#show-table').tap();
  await page.waitForSelector('#stats-table');
  assert.ok(await widerThanScreen() <= 0);
  assert.equal(await page.locator(`#stats-table td[data-period="${Y}-03"][data-outcome="error"]`)
    .evaluate((td) => getComputedStyle(td, '::before').content), '"En erreur"');
  await page.locator('#sites-button').tap();
  await page.waitForSelector('#site-list input');
  assert.ok(await widerThanScreen() <= 0, 'the list of sites fits the screen');
  await page.goto(`${app.base}/sites`);
  await page.waitForSelector('#sites-table');
  assert.ok(await widerThanScreen() <= 0);
  assert.equal(await page.locator('#sites-table tbody td.actions').first().evaluate((td) => getComputedStyle(td, '::before').content), '"Actions"');
});

test('6. small segments stay visible, the tooltip gives total and share, and a "% share" view', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=vies&granularity=month&year=${Y}#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  // In May, one error and one "no result" beside 2,000 checks: each at least 3 pixels high.
  const heights = await page.evaluate(() => {
    const chart = echarts.getInstanceByDom(document.getElementById('chart'));
    let base = 0;
    return chart.getOption().series.map((s) => {
      const value = s.data[4] ?? 0;
      const [, bottom] = chart.convertToPixel({ gridIndex: 0 }, [4, base]);
      const [, top] = chart.convertToPixel({ gridIndex: 0 }, [4, base + value]);
      base += value;
      return bottom - top;
    });
  });
  assert.ok(heights[1] >= 3 && heights[2] >= 3, `segments of ${heights.map((h) => h.toFixed(1)).join(', ')} px`);
  // The tooltip: the month, its total, each outcome's count and share.
  const point = await chartPoint(page, 4, 1000);
  await page.mouse.move(point.x, point.y);
  const tooltip = page.locator('#chart > div', { hasText: 'Total' });
  await tooltip.waitFor();
  const text = await tooltip.innerText();
  assert.match(text, new RegExp(`Total${NNBSP}: ${fr(2002)}`));
  assert.match(text, new RegExp(`Contrôles effectués${NNBSP}: ${fr(2000)} \\(99,9${NNBSP}%\\)`));
  assert.match(text, new RegExp(`En erreur${NNBSP}: 1 \\(< 0,1${NNBSP}%\\)`));
  // Shares: every bar stacked to 100 %, in the chart and its table.
  await page.click('#show-shares');
  await page.waitForSelector('#chart[data-scale="share"]');
  assert.match(page.url(), /scale=share/);
  const option = await chartOption(page);
  assert.equal(option.yAxis.max, 100);
  assert.ok(Math.abs(option.series[0].data[4] - 99.9) < 0.1);
  await page.screenshot({ path: path.join(shots, 'shares-chart.png'), fullPage: true });
  await page.click('#show-table');
  await page.waitForSelector('#stats-table[data-scale="share"]');
  assert.equal(await page.locator(`#stats-table td[data-period="${Y}-05"][data-outcome="success"]`).innerText(), `99,9${NNBSP}%`);
  assert.equal(await cell(page, `${Y}-05`, 'total'), 2002);
});

test('7. by keyboard: a skip link, Escape, the focus never on the page body, a site filter that names the sites', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return e === document.body ? 'body' : e.id || e.className || e.tagName;
  });
  await page.goto(`${app.base}/?feature=sms&granularity=month&year=${Y}#access_token=${app.token('logs:read sites:manage')}`);
  await chartReady(page);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au contenu');
  assert.ok(await page.locator('.skip-link').first().isVisible(), 'the skip link shows when focused');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au graphique');
  await page.keyboard.press('Enter');
  await focusIsOn(page, '#chart');
  // January's SMS: the list opens, "more" keeps the focus in the list, Escape closes it.
  await page.keyboard.press('Enter');
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  await focusIsOn(page, '#entries-title');
  await page.focus('#more-entries');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement === document.querySelectorAll('#entries tbody tr')[50]);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#entries', { state: 'detached' });
  await focusIsOn(page, '#chart');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#entries[data-state="ready"]');
  await page.click('#close-entries');
  await page.waitForSelector('#entries', { state: 'detached' });
  await focusIsOn(page, '#chart');
  assert.notEqual(await focused(), 'body');
  // The site filter: Escape and a click elsewhere close it; its button names the sites chosen.
  await page.focus('#sites-button');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#sites-button', 'aria-expanded'), 'true');
  assert.ok(await page.locator('#site-list').isVisible());
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#sites-button', 'aria-expanded'), 'false');
  assert.ok(!(await page.locator('#site-list').isVisible()));
  await focusIsOn(page, '#sites-button');
  await page.click('#sites-button');
  await page.click('h1');
  assert.ok(!(await page.locator('#site-list').isVisible()), 'a click elsewhere closes the list');
  await page.click('#sites-button');
  await page.check('#site-list input[value="LYON"]');
  await page.waitForFunction(() => document.getElementById('sites-button').textContent === 'Site\u202f: LYON');
  await page.check('#site-list input[value="PARIS"]');
  await page.waitForFunction(() => document.getElementById('sites-button').textContent === 'Sites\u202f: LYON, PARIS');
  // Hiding a site by keyboard: the focus stays on its row's button.
  await page.goto(`${app.base}/sites`);
  await page.focus('#sites-table tr[data-site="PARIS"] .site-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#sites-table tr[data-site="PARIS"][data-hidden="true"]');
  await page.waitForFunction(() => document.activeElement?.matches('#sites-table tr[data-site="PARIS"] .site-toggle'));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Afficher');
});

test('8. periods: the last 12 months first, presets, stops at the data, an empty period explained', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  const url = () => new URL(page.url()).search;
  await page.goto(`${app.base}/?feature=php_web_api#access_token=${app.token('logs:read')}`);
  await chartReady(page);
  assert.equal(await page.getAttribute('#last-twelve', 'aria-pressed'), 'true');
  assert.equal(await page.locator('#period-label').innerText(), '12 derniers mois');
  const option = await chartOption(page);
  assert.equal(option.xAxis.data.length, 12);
  assert.deepEqual(option.series.map((s) => s.data.slice(-2)), [[null, 3], [1, null]], 'last month an error, this month 3');
  // Nothing after the current month: the button says why and does nothing.
  assert.equal(await page.getAttribute('#next-period', 'aria-disabled'), 'true');
  assert.equal(await page.getAttribute('#next-period', 'aria-label'), 'La période suivante n’a pas encore commencé');
  const before = url();
  await page.focus('#next-period');
  await page.keyboard.press('Enter');
  assert.equal(url(), before);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'next-period', 'the focus stays on it');
  // This month, last month, this year.
  await page.click('#this-month');
  await page.waitForFunction((label) => document.getElementById('period-label').textContent === label, shortMonth(thisMonth));
  assert.deepEqual(await settledSeries(page, [[3], [null]]), [[3], [null]]);
  await page.click('#last-month');
  await page.waitForFunction((label) => document.getElementById('period-label').textContent === label, shortMonth(lastMonth));
  assert.deepEqual(await settledSeries(page, [[null], [1]]), [[null], [1]]);
  await page.click('#this-year');
  await page.waitForFunction((y) => document.getElementById('period-label').textContent === y, String(thisYear));
  assert.match(url(), new RegExp(`year=${thisYear}`));
  // E-mails were first counted in June of the year before Y: no further back than that year.
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}`);
  await chartReady(page);
  assert.equal(await page.getAttribute('#previous-period', 'aria-disabled'), 'false');
  await page.click('#previous-period');
  await page.waitForFunction((y) => document.getElementById('period-label').textContent === y, String(year - 1));
  await page.waitForSelector('#previous-period[aria-disabled="true"]');
  const first = url();
  await page.click('#previous-period', { force: true });
  assert.equal(url(), first);
  // A year without uses (asked for by its address) says so, from when they exist and how long entries are kept.
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${year - 2}`);
  await page.waitForSelector('#no-uses');
  await page.waitForFunction(() => /comptée.*conservées/.test(document.getElementById('no-uses').textContent));
  assert.equal(await page.locator('#no-uses').innerText(),
    `Aucune utilisation de «${NNBSP}Envoi d’e-mails${NNBSP}» en ${year - 2}. Première utilisation comptée${NNBSP}: juin ${year - 1}. `
    + 'Les entrées sont conservées 24 mois.');
  assert.equal(await page.locator('#chart').count(), 0, 'no empty chart');
  await page.screenshot({ path: path.join(shots, 'period-empty.png'), fullPage: true });
});

test('9. the entries panel: how many, the outcome in the file name, no CSV when there is nothing', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t, desktop, { acceptDownloads: true });
  await page.goto(`${app.base}/?feature=sms&granularity=month&year=${Y}&period=${Y}-01&outcome=success#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  await page.waitForFunction(() => document.getElementById('entries-count').textContent === '50 sur 60');
  await page.click('#more-entries');
  await page.waitForFunction(() => document.getElementById('entries-count').textContent === '60 entrées');
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}&site=LYON&period=${Y}-03&outcome=error`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  await page.waitForFunction(() => document.getElementById('entries-count').textContent === '1 entrée');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.equal(download.suggestedFilename(), `histo-email-${Y}-03-error-LYON.csv`);
  // July: nothing to list, nothing to download.
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}&period=${Y}-07&outcome=success`);
  await page.waitForSelector('#entries[data-state="ready"]');
  await page.waitForFunction(() => document.getElementById('entries-count').textContent === '0 entrée');
  assert.equal(await page.locator('#export-csv').count(), 0);
  // A purged period: the note, no count of entries that are gone, nothing to download.
  await page.goto(`${app.base}/?feature=email&granularity=year&from=${year - 4}&to=${Y}&period=${year - 3}`);
  await page.waitForSelector('#entries[data-state="ready"] #purged');
  assert.equal(await page.locator('#export-csv').count(), 0);
});

test('10. French typography: narrow spaces, real plurals, apostrophes, labels and the audit trail in words', async (t) => {
  const app = await openHisto(t);
  const everything = app.token('logs:read sites:manage settings:admin');
  assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
  for (const change of [{ hidden: true }, { hidden: false }, { hidden: false, name: 'Lyon Part-Dieu' }]) {
    assert.equal((await app.api('PATCH', '/api/v1/sites/LYON', everything, change)).status, 200);
  }
  const page = await newPage(browser, t);
  // Histo's own purge runs every six hours: one is added to the trail as the server writes it.
  await page.route('**/api/v1/audit*', async (route) => {
    const answer = await route.fetch();
    const body = await answer.json();
    body.items.unshift({ at: new Date().toISOString(), actor: 'system', action: 'purge', before: null,
      after: { removed: 1234, removed_before: lastMonth } });
    await route.fulfill({ response: answer, json: body });
  });
  const badTypography = /[ \u00a0][%:;?!]|'/;
  const checkText = async (where) => {
    const text = await page.locator('main').innerText();
    const found = text.match(new RegExp(`.{0,30}(${badTypography.source}).{0,30}`));
    assert.equal(found, null, `${where}: «${found?.[0]}»`);
  };
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}&period=${Y}-03&outcome=error#access_token=${everything}`);
  await chartReady(page);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  await checkText('statistics');
  assert.equal(await page.locator('#entries-count').innerText(), '2 entrées');
  await page.goto(`${app.base}/?feature=attachment&granularity=month&year=${Y}&view=table`);
  await page.waitForSelector('#stats-table');
  assert.match(await page.locator('#stats-table thead').innerText(), /Insérées/);
  await checkText('attachments');
  await page.goto(`${app.base}/settings`);
  await page.waitForSelector('#audit-table tbody tr[data-action="site_renamed"]');
  await checkText('settings');
  const row = async (action) => page.locator(`#audit-table tbody tr[data-action="${action}"]`).first()
    .evaluate((tr) => [...tr.cells].slice(1).map((td) => td.textContent));
  assert.deepEqual(await row('purge'), ['Histo (purge automatique)', 'Purge',
    `1${NNBSP}234 entrées supprimées, antérieures à ${monthName(lastMonth)}.`]);
  assert.deepEqual(await row('site_renamed'), ['ADMIN', 'Site renommé', `LYON${NNBSP}: «${NNBSP}LYON${NNBSP}» devient «${NNBSP}Lyon Part-Dieu${NNBSP}».`]);
  assert.deepEqual(await row('site_hidden'), ['ADMIN', 'Site masqué', `LYON${NNBSP}: exclu des statistiques, listes et exports.`]);
  assert.deepEqual(await row('admin_password_changed'), ['commande histo (serveur)', 'Mot de passe administrateur changé',
    'Premier mot de passe administrateur défini.']);
  assert.equal(await page.locator('#audit-table').innerText().then((text) => /[{}]/.test(text)), false, 'no JSON');
  await page.screenshot({ path: path.join(shots, 'audit-in-words.png'), fullPage: true });
});

test('11. every page has its title and a visible main heading', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/?feature=email&granularity=month&year=${Y}#access_token=${app.token('logs:read sites:manage settings:admin')}`);
  await chartReady(page);
  await page.waitForFunction((title) => document.title === title, `Statistiques — Envoi d’e-mails ${Y} — Histo`);
  assert.ok(await page.locator('h1').isVisible());
  assert.equal(await page.locator('h1').innerText(), 'Statistiques');
  await page.click('#last-twelve');
  await page.waitForFunction(() => document.title === 'Statistiques — Envoi d’e-mails sur les 12 derniers mois — Histo');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.title === 'Statistics — Sending e-mails over the last 12 months — Histo');
  await page.click('#lang-switch');
  for (const [link, title] of [['/sites', 'Sites — Histo'], ['/settings', 'Paramètres — Histo']]) {
    await page.click(`nav a[href="${link}"]`);
    await page.waitForFunction((title) => document.title === title, title);
    assert.ok(await page.locator('h1').isVisible());
  }
  await page.click('#sign-out');
  await page.waitForFunction(() => document.title === 'Connexion — Histo');
});

test('12. a garbage link says so; a reader sees no button that cannot work; every column has a heading', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/#access_token=not.a.token`);
  await page.waitForSelector('#sign-in-note');
  assert.equal(await page.locator('#sign-in-note').innerText(),
    `Ce lien de connexion n’est pas valide${NNBSP}: rouvrez Histo depuis le menu de l’ERP, ou connectez-vous ci-dessous.`);
  // A reader who reaches /settings and /sites by their address.
  await page.goto(`${app.base}/settings#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#settings[data-retention="24"]');
  assert.equal(await page.locator('#change-retention').count(), 0);
  assert.ok(await page.locator('#settings-read-only').isVisible());
  assert.equal(await page.locator('#audit-table').count(), 0);
  await page.goto(`${app.base}/sites`);
  await page.waitForSelector('#sites-table');
  assert.equal(await page.locator('.site-toggle').count(), 0);
  assert.ok(await page.locator('#sites-read-only').isVisible());
  // A manager's sites table: the buttons' column is named.
  await page.goto(`${app.base}/sites#access_token=${app.token('logs:read sites:manage')}`);
  await page.waitForSelector('#sites-table .site-toggle');
  assert.deepEqual(await page.locator('#sites-table thead th').allInnerTexts(), ['Code', 'Nom', 'Affichage', 'Actions']);
});
