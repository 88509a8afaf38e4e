// The analysis on the statistics page, clicked through in Chromium against the real server: the
// causes of the errors, the entries filtered by cause and by user, the comparison with the year
// before, the uses site by site, the exports and the print, and the months whose entries are gone.
// Besides the known events (fixture.mjs), attachments of this file's own: errors of both causes in
// April of Y, and uses of the year before to compare with.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chartPoint, chartReady, launchChromium } from './histo.mjs';
import {
  Y, addMonths, axeViolations, company, desktop, knownEvents, newPage, openHisto, phone, shots, thisMonth, useLanguage, year,
} from './fixture.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const attachment = (outcome, site, user, at, extra = {}) =>
  ({ feature: 'attachment', outcome, site, user_code: user, occurred_at: at, ...extra });
const days = (n, at) => Array.from({ length: n }, (_, i) => at(String(i + 1).padStart(2, '0')));

/**
 * Attachments in Y: April has the 3 known uses (2 inserted, 1 execution error at PARIS) and these
 * 3 errors, so 2 inserted and 4 errors (2 configuration, 2 execution); March has 9 inserted. The
 * year before: 8 in March, 4 in April, 2 in May.
 */
const analysed = () => [
  ...knownEvents(),
  attachment('error', 'LYON', 'JMARTIN', `${Y}-04-10T09:00:00+02:00`, { cause: 'configuration', code: 'ATT_CONF' }),
  attachment('error', 'PARIS', 'JMARTIN', `${Y}-04-11T09:00:00+02:00`, { cause: 'configuration' }),
  attachment('error', 'LYON', 'CDURAND', `${Y}-04-12T09:00:00+02:00`, { cause: 'execution' }),
  ...days(9, (d) => attachment('success', 'LYON', 'CDURAND', `${Y}-03-${d}T09:00:00+01:00`)),
  ...days(4, (d) => attachment('success', 'LYON', 'CDURAND', `${year - 1}-04-${d}T09:00:00+02:00`)),
  ...days(8, (d) => attachment('success', 'PARIS', 'CDURAND', `${year - 1}-03-${d}T09:00:00+01:00`)),
  ...days(2, (d) => attachment('success', 'PARIS', 'CDURAND', `${year - 1}-05-${d}T09:00:00+02:00`)),
];

/** Signs in on `page` at `address` with a token to read. */
async function open(page, app, address) {
  await page.goto(`${app.base}${address}#access_token=${app.token('logs:read')}`);
}

/** The `/logs` calls that the page makes from now on. */
function logCalls(page) {
  const calls = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/v1/logs') calls.push(url.searchParams);
  });
  return calls;
}

test('the causes of the errors: in the tooltip, in the table, and a click opens their entries', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  const page = await newPage(browser, t);
  const calls = logCalls(page);
  await open(page, app, `/?feature=attachment&granularity=month&year=${Y}`);
  await chartReady(page);

  // The tooltip of April lists its errors by cause.
  const april = await chartPoint(page, 3, 1);
  await page.mouse.move(april.x, april.y);
  const tip = page.locator('#chart div', { hasText: 'Problème de configuration' }).last();
  await tip.waitFor();
  const tipText = await tip.innerText();
  assert.match(tipText, /Non abouties\u202f: 4/, tipText);
  assert.match(tipText, /Problème de configuration\u202f: 2/, tipText);
  assert.match(tipText, /Erreur d’exécution\u202f: 2/, tipText);

  // The table: a button per cause, with its count; none in a month without errors.
  await page.click('#show-table');
  await page.waitForSelector('#stats-table');
  assert.equal(await page.locator('#stats-table thead th').last().innerText(), 'Causes des erreurs');
  const causes = page.locator(`#stats-table td[data-period="${Y}-04"][data-outcome="causes"] button`);
  assert.deepEqual(await causes.allInnerTexts(), ['Problème de configuration\u202f: 2', 'Erreur d’exécution\u202f: 2']);
  assert.equal(await page.locator(`#stats-table td[data-period="${Y}-03"][data-outcome="causes"] button`).count(), 0);
  assert.deepEqual(await axeViolations(page), []);

  // A click on a cause opens exactly those errors; the URL and the /logs call say so.
  await causes.first().click();
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('period'), `${Y}-04`);
  assert.equal(url.searchParams.get('outcome'), 'error');
  assert.equal(url.searchParams.get('cause'), 'configuration');
  assert.equal(calls.at(-1).get('cause'), 'configuration');
  assert.equal(calls.at(-1).get('outcome'), 'error');
  const rows = page.locator('#entries tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await page.locator('#entries-title').innerText(), /Problème de configuration/);
  assert.equal(await page.locator('#entries-count').innerText(), '2 entrées');
  assert.match(await page.locator('#entries tbody').innerText(), /ATT_CONF/);
  assert.deepEqual(await axeViolations(page), []);
  for (const [lang, device, size] of [['fr', 'desktop', desktop], ['en', 'phone', phone]]) {
    const shot = await newPage(browser, t, size);
    await useLanguage(shot, lang);
    await open(shot, app, `/?feature=attachment&granularity=month&year=${Y}&view=table&period=${Y}-04&outcome=error&cause=configuration`);
    await shot.waitForSelector('#entries[data-state="ready"] tbody tr');
    await shot.screenshot({ path: path.join(shots, `analysis-causes-${lang}-${device}.png`), fullPage: true });
  }

  // Closing the entries puts the focus back on the cause's button.
  await page.click('#close-entries');
  await page.waitForFunction(() => document.activeElement?.dataset.cause === 'configuration');
  assert.deepEqual(page.problems, []);
});

test('the entries filtered by cause and by user: shown, removable, in the URL, the /logs call and the CSV', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  const page = await newPage(browser, t, desktop, { acceptDownloads: true });
  const calls = logCalls(page);
  await open(page, app, `/?feature=attachment&granularity=month&year=${Y}&view=table&period=${Y}-04&outcome=error&cause=execution`);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  const rows = page.locator('#entries tbody tr');
  assert.equal(await rows.count(), 2);
  assert.equal(await page.locator('#remove-cause').innerText(), 'Cause\u202f: Erreur d’exécution ×');
  assert.equal(await page.locator('#remove-cause').getAttribute('aria-label'),
    'Retirer le filtre Cause\u202f: Erreur d’exécution');
  assert.equal(await page.locator('#remove-user').count(), 0);

  // A user code is a button keeping that user's entries only.
  const user = page.locator('#entries button[data-user="CDURAND"]');
  assert.equal(await user.getAttribute('aria-label'), 'Seulement les entrées de CDURAND');
  await user.click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('user_code') === 'CDURAND');
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(await rows.count(), 1);
  assert.equal(new URL(page.url()).searchParams.get('cause'), 'execution');
  assert.equal(calls.at(-1).get('user_code'), 'CDURAND');
  assert.equal(calls.at(-1).get('cause'), 'execution');
  assert.equal(await page.locator('#entries-count').innerText(), '1 entrée affichée');
  assert.equal(await page.locator('#remove-user').innerText(), 'Code utilisateur\u202f: CDURAND ×');
  assert.match(await page.locator('#entries-title').innerText(), /Erreur d’exécution — CDURAND$/);
  assert.deepEqual(await axeViolations(page), []);

  // The CSV holds the same entry: French header, semicolons, BOM, named after the filters.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.equal(download.suggestedFilename(), `histo-attachment-${Y}-04-error-execution-CDURAND.csv`);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\ufeffidentifiant;date et heure;site;utilisateur;'), csv);
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines.length, 2, csv);
  assert.match(lines[1], /;CDURAND;/);

  // Removing the cause keeps the user; removing the user shows the month's 4 errors again.
  await page.click('#remove-cause');
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('cause'));
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  assert.equal(new URL(page.url()).searchParams.get('user_code'), 'CDURAND');
  assert.equal(await rows.count(), 1);
  await page.click('#remove-user');
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('user_code'));
  await page.waitForFunction(() => document.querySelectorAll('#entries[data-state="ready"] tbody tr').length === 4);
  assert.equal(await page.locator('#entries-count').innerText(), '4 entrées');
  assert.ok(!calls.at(-1).has('user_code') && !calls.at(-1).has('cause'));
  assert.deepEqual(page.problems, []);
});

test('compared with the year before: a dashed line and its legend, the figures and the change in % of each language', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  const page = await newPage(browser, t);
  const stats = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/v1/stats' && url.searchParams.get('granularity') === 'month'
      && url.searchParams.get('year') === Y) stats.push(url.searchParams);
  });
  await open(page, app, `/?feature=attachment&granularity=month&year=${Y}`);
  await chartReady(page);
  assert.equal(await page.getAttribute('#compare', 'aria-pressed'), 'false');
  await page.click('#compare');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('compare') === 'previous');
  await page.waitForFunction(() => echarts.getInstanceByDom(document.getElementById('chart'))
    ?.getOption().series.some((s) => s.type === 'line'));
  assert.equal(await page.getAttribute('#compare', 'aria-pressed'), 'true');
  assert.equal(stats.at(-1).get('compare'), 'previous');

  // The line of the totals a year earlier, named in the legend.
  const line = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('chart'))
    .getOption().series.find((s) => s.type === 'line'));
  assert.equal(line.name, 'Total un an plus tôt');
  assert.deepEqual(line.data.slice(0, 6), [0, 0, 8, 4, 2, 0]);
  assert.match(await page.locator('#chart svg').textContent(), /Total un an plus tôt/);
  const march = await chartPoint(page, 2, 4);
  await page.mouse.move(march.x, march.y);
  const tip = page.locator('#chart div', { hasText: 'un an plus tôt (' }).last();
  await tip.waitFor();
  assert.match(await tip.innerText(), new RegExp(`Total un an plus tôt \\(mars ${year - 1}\\)\u202f: 8 \\(\\+12,5\u202f%\\)`));
  assert.deepEqual(await axeViolations(page), []);

  // The table: the total a year earlier and the change, "—" where there was nothing.
  await page.click('#show-table');
  await page.waitForSelector('#stats-table td[data-outcome="change"]');
  const change = (period) => page.locator(`#stats-table td[data-period="${period}"][data-outcome="change"]`).innerText();
  const before = (period) => page.locator(`#stats-table td[data-period="${period}"][data-outcome="previous"]`).getAttribute('data-count');
  assert.deepEqual([await before(`${Y}-03`), await before(`${Y}-04`), await before(`${Y}-05`)], ['8', '4', '2']);
  assert.equal(await change(`${Y}-03`), '+12,5\u202f%');
  assert.equal(await change(`${Y}-04`), '+50\u202f%');
  assert.equal(await change(`${Y}-05`), '\u2212100\u202f%');
  assert.equal(await change(`${Y}-01`), '—');
  assert.deepEqual(await axeViolations(page), []);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#compare')?.textContent === 'Compare with the year before');
  assert.equal(await change(`${Y}-03`), '+12.5%');
  assert.equal(await change(`${Y}-05`), '\u2212100%');
  assert.match(await page.locator('#stats-table thead').innerText(), /Total a year earlier\s+Change/);

  for (const lang of ['fr', 'en']) {
    for (const [device, size] of [['desktop', desktop], ['phone', phone]]) {
      const shot = await newPage(browser, t, size);
      await useLanguage(shot, lang);
      await open(shot, app, `/?feature=attachment&granularity=month&year=${Y}&compare=previous`);
      await chartReady(shot);
      await shot.screenshot({ path: path.join(shots, `analysis-compare-${lang}-${device}.png`), fullPage: true });
    }
  }
  assert.deepEqual(page.problems, []);
});

test('the uses site by site: bars lying down stacked by outcome; a click, or the table by keyboard, opens a site’s entries', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  const page = await newPage(browser, t);
  const sitesDrawn = () => page.waitForSelector('#chart[data-bars="sites"][data-state="ready"] svg path', { state: 'attached' });
  await open(page, app, `/?feature=attachment&granularity=month&month=${Y}-04`);
  await chartReady(page);
  await page.click('#show-sites');
  await sitesDrawn();
  assert.equal(new URL(page.url()).searchParams.get('view'), 'sites');
  assert.equal(await page.getAttribute('#show-sites', 'aria-pressed'), 'true');
  assert.equal(await page.locator('#sites-period').innerText(), `Utilisations par site en avril ${Y}.`);
  // April: LYON 2 inserted and 2 errors, PARIS 2 errors; the largest on top.
  const option = await page.evaluate(() => {
    const o = echarts.getInstanceByDom(document.getElementById('chart')).getOption();
    return { sites: o.yAxis[0].data, series: o.series.map((s) => s.data) };
  });
  assert.deepEqual(option, { sites: ['LYON', 'PARIS'], series: [[2, null], [2, 2], [null, null]] });
  const total = (site) => page.locator(`#stats-table tr:has(th:text-is("${site}")) td[data-outcome="total"]`).getAttribute('data-count');
  assert.deepEqual([await total('LYON'), await total('PARIS')], ['4', '2']);
  assert.deepEqual(await axeViolations(page), []);

  // A click on PARIS's bar: its entries of April, the site chosen.
  const paris = await page.evaluate(() => {
    const element = document.getElementById('chart');
    const [x, y] = echarts.getInstanceByDom(element).convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [1, 1]);
    const box = element.getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  });
  await page.mouse.click(paris.x, paris.y);
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  let url = new URL(page.url());
  assert.deepEqual([url.searchParams.getAll('site'), url.searchParams.get('period'), url.searchParams.get('outcome')],
    [['PARIS'], `${Y}-04`, 'error']);
  assert.deepEqual(await page.locator('#entries tbody tr td:nth-child(2)').allInnerTexts(), ['PARIS', 'PARIS']);
  assert.deepEqual(await axeViolations(page), []);

  // Back to every site; the table's count of LYON's errors, by keyboard.
  await page.goBack();
  await sitesDrawn();
  const errors = page.locator('#stats-table tr:has(th:text-is("LYON")) td[data-outcome="error"] button');
  await errors.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#entries[data-state="ready"] tbody tr');
  url = new URL(page.url());
  assert.deepEqual([url.searchParams.getAll('site'), url.searchParams.get('outcome')], [['LYON'], 'error']);
  assert.equal(await page.locator('#entries tbody tr').count(), 2);

  // Over the last twelve months, the view shows the current month and says so.
  await page.goto(`${app.base}/?feature=attachment&view=sites`);
  await page.waitForSelector('#sites-period');
  const month = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(new Date());
  assert.equal(await page.locator('#sites-period').innerText(),
    `Utilisations par site en ${month}\u202f: le dernier mois de la période choisie (la vue par site montre un mois ou une année).`);
  assert.equal(await page.locator('#no-site-uses').innerText(),
    `Aucune utilisation de «\u202fAjout de pièces jointes\u202f» en ${month}.`);

  for (const lang of ['fr', 'en']) {
    for (const [device, size] of [['desktop', desktop], ['phone', phone]]) {
      const shot = await newPage(browser, t, size);
      await useLanguage(shot, lang);
      await open(shot, app, `/?feature=attachment&granularity=month&year=${Y}&view=sites`);
      await shot.waitForSelector('#chart[data-bars="sites"][data-state="ready"] svg path', { state: 'attached' });
      assert.deepEqual(await axeViolations(shot), [], `${lang} ${device}`);
      await shot.screenshot({ path: path.join(shots, `analysis-sites-${lang}-${device}.png`), fullPage: true });
    }
  }
  assert.deepEqual(page.problems, []);
});

/** The texts of the chart's values axis (its labels left of the grid). */
async function axisLabels(page) {
  return page.evaluate(() => {
    const chart = document.getElementById('chart');
    const grid = echarts.getInstanceByDom(chart).convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [0, 0]);
    const box = chart.getBoundingClientRect();
    return [...chart.querySelectorAll('svg text')]
      .filter((text) => text.getBoundingClientRect().right <= box.left + grid[0])
      .map((text) => text.textContent);
  });
}

test('numbers as each language writes them: the values axis, the tooltip, the shares', async (t) => {
  const app = await openHisto(t);
  const page = await newPage(browser, t);
  await open(page, app, `/?feature=vies&granularity=month&year=${Y}`);
  await chartReady(page);
  // 2,000 checks in May: the axis goes up by 500.
  assert.deepEqual(await axisLabels(page), ['0', '500', '1\u202f000', '1\u202f500', '2\u202f000', '2\u202f500']);
  const may = await chartPoint(page, 4, 1000);
  await page.mouse.move(may.x, may.y);
  const tip = page.locator('#chart div', { hasText: 'Contrôles effectués' }).last();
  await tip.waitFor();
  assert.match(await tip.innerText(), /Total\u202f: 2\u202f002/);
  await page.click('#show-shares');
  await page.waitForSelector('#chart[data-scale="share"][data-state="ready"]');
  assert.deepEqual((await axisLabels(page)).at(-1), '100\u202f%');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.click('#show-counts');
  await page.waitForSelector('#chart[data-scale="count"][data-state="ready"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#chart svg text')].some((t) => t.textContent === '2,000'));
  assert.deepEqual(await axisLabels(page), ['0', '500', '1,000', '1,500', '2,000', '2,500']);
  assert.deepEqual(page.problems, []);
});

test('the table as CSV with the parameters of the view, the chart as PNG and SVG, and the printed page', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  const page = await newPage(browser, t, desktop, { acceptDownloads: true });
  const exports = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/v1/stats/export') exports.push(url.searchParams);
  });
  const downloaded = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  };
  await open(page, app, `/?feature=attachment&granularity=month&year=${Y}&compare=previous`);
  await chartReady(page);

  // In French: semicolons, a byte order mark, French labels; the comparison as on screen.
  let csv = await downloaded('#export-stats');
  assert.equal(csv.name, `histo-attachment-${Y}-01-${Y}-12.csv`);
  assert.deepEqual(Object.fromEntries(exports.at(-1)), {
    feature: 'attachment', granularity: 'month', compare: 'previous', year: Y, sep: 'semicolon', bom: 'true', lang: 'fr',
  });
  let lines = csv.bytes.toString('utf8').trimEnd().split(/\r?\n/);
  assert.equal(lines[0], '\ufeffpériode;Insérées;Non abouties;Arrêtées par l\'utilisateur;total;total un an plus tôt;évolution');
  assert.equal(lines.length, 13);
  assert.match(lines[3], new RegExp(`^${Y}-03;9;0;0;9;8;`));
  assert.match(lines[4], new RegExp(`^${Y}-04;2;4;0;6;4;`));

  // The last twelve months touch two years: one file, one header, twelve months.
  await page.goto(`${app.base}/?feature=attachment`);
  await chartReady(page);
  csv = await downloaded('#export-stats');
  lines = csv.bytes.toString('utf8').trimEnd().split(/\r?\n/);
  assert.equal(lines.length, 13, lines.join('\n'));
  assert.equal(lines.filter((line) => line.includes('période')).length, 1);
  assert.ok(lines[1].startsWith(`${addMonths(thisMonth, -11)};`), lines[1]);
  assert.ok(lines[12].startsWith(`${thisMonth};`), lines[12]);

  // In English: English labels, commas, no byte order mark.
  await page.goto(`${app.base}/?feature=attachment&granularity=month&year=${Y}`);
  await chartReady(page);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  csv = await downloaded('#export-stats');
  assert.equal(exports.at(-1).get('lang'), 'en');
  assert.ok(!exports.at(-1).has('sep') && !exports.at(-1).has('bom'));
  assert.ok(csv.bytes.toString('utf8').startsWith('period,success,error,stopped,total\n'), csv.bytes.toString('utf8'));

  // The chart as images.
  const png = await downloaded('#save-png');
  assert.equal(png.name, `histo-attachment-${Y}-01-${Y}-12.png`);
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.bytes.length > 5000, `a PNG of ${png.bytes.length} bytes`);
  const svg = await downloaded('#save-svg');
  assert.equal(svg.name, `histo-attachment-${Y}-01-${Y}-12.svg`);
  assert.match(svg.bytes.toString('utf8'), /<svg[^>]*>/);
  assert.match(svg.bytes.toString('utf8'), /Did not complete/);
  assert.deepEqual(await axeViolations(page), []);

  // Printed: the titles, the chart and its table; no navigation, no buttons.
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['header.top nav', '#show-table', '#export-stats', '#save-png', '.cards']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, hidden);
  }
  for (const shown of ['h1', '#uses-title', '#figures-title', '#chart svg', '.print-only table']) {
    assert.ok(await page.locator(shown).first().isVisible(), shown);
  }
  assert.equal(await page.locator('.print-only td[data-period$="-04"][data-outcome="total"]').innerText(), '6');
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: path.join(shots, 'analysis-print.png'), fullPage: true });
  await page.pdf({ path: path.join(shots, 'analysis-print.pdf'), format: 'A4' });
  assert.deepEqual(page.problems, []);
});

test('retention: a span before the first month kept says so, and so do the entries of a purged month', async (t) => {
  const app = await openHisto(t, { events: analysed() });
  assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
  const saved = await app.api('PUT', '/api/v1/settings/retention', app.token('settings:admin'),
    { months: 12, admin_password: 'right-password' });
  assert.equal(saved.status, 200, saved.text);
  const kept = saved.json.retained_from;
  assert.equal(kept, addMonths(thisMonth, -12));
  const month = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(`${kept}-15T00:00:00Z`));
  const page = await newPage(browser, t);
  await open(page, app, `/?feature=attachment&granularity=month&year=${year - 1}`);
  await chartReady(page);
  await page.waitForSelector('#retention-note');
  assert.equal(await page.locator('#retention-note').innerText(),
    `Entrées conservées depuis ${month}\u202f: des mois plus anciens, seuls les totaux restent.`);
  // March of the year before: its 8 uses counted, its entries gone.
  await page.click('#show-table');
  await page.click(`#stats-table td[data-period="${year - 1}-03"][data-outcome="total"] button`);
  await page.waitForSelector('#purged');
  assert.equal(await page.locator('#purged').innerText(),
    `Le détail de cette période a été supprimé par la politique de conservation\u202f; les totaux restent dans les statistiques. Entrées conservées depuis ${month}.`);
  assert.equal(await page.locator('#entries tbody tr').count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  // The months kept say nothing.
  await page.goto(`${app.base}/?feature=attachment&granularity=month&month=${thisMonth}`);
  await page.waitForSelector('#no-uses, #chart[data-state="ready"]');
  assert.equal(await page.locator('#retention-note').count(), 0);
  assert.deepEqual(page.problems, []);
});
