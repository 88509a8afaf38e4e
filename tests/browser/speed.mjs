// The web app's speed on a big database, in headless Chromium; figures printed, nothing asserted.
//
//   node tests/browser/speed.mjs DATABASE_URL [COMPANY]     (run by scripts/bench-web.sh)
//
// Starts `histo serve` ($HISTO_BIN) on the database, then RUNS times, each in a new browser context
// (nothing cached, as on a first visit): opens the dashboard of last year's e-mails month by month and
// waits for the chart; reloads it (the app's files now cached); clicks a bar and waits for its entries.

import {
  chartPoint, chartReady, chartSeries, launchChromium, mintToken, startHisto,
} from './histo.mjs';

const [database, company = 'bench'] = process.argv.slice(2);
if (!database) {
  console.error('usage: node tests/browser/speed.mjs DATABASE_URL [COMPANY]');
  process.exit(2);
}
const RUNS = 10;
const secret = 'histo-web-speed-secret-0123456789abcdef';
const year = new Date().getFullYear() - 1;

const { base, process: server } = await startHisto(database, secret);
const token = mintToken(database, secret, company, 'logs:read', 'SPEED');
const browser = await launchChromium();
const timings = { opened: [], drawnBrowser: [], reloaded: [], clicked: [] };
let transfer = null;
let entriesBehind = 0;
try {
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const opened = Date.now();
    await page.goto(`${base}/?feature=email&granularity=month&year=${year}#access_token=${token}`);
    await chartReady(page);
    timings.opened.push(Date.now() - opened);
    timings.drawnBrowser.push(Number(await page.getAttribute('#chart', 'data-drawn-at')));
    if (run === 0) transfer = await transferred(page);

    const reloaded = Date.now();
    await page.reload();
    await chartReady(page);
    timings.reloaded.push(Date.now() - reloaded);

    // A different month each run, clicked in the middle of its first (success) segment.
    const month = run % 12;
    const [successes] = await chartSeries(page);
    entriesBehind = Math.max(entriesBehind, successes[month]);
    const point = await chartPoint(page, month, successes[month] / 2);
    const clicked = Date.now();
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#entries[data-state="ready"] tbody tr');
    timings.clicked.push(Date.now() - clicked);
    await context.close();
  }
} finally {
  await browser.close();
  server.kill();
}

/** Bytes that crossed the network for the page so far, app files and API answers apart. */
async function transferred(page) {
  return page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const sum = (list) => list.reduce((total, e) => total + e.transferSize, 0);
    const api = entries.filter((e) => new URL(e.name).pathname.startsWith('/api/'));
    return { app: sum(entries) - sum(api), api: sum(api), files: entries.length - api.length, requests: api.length };
  });
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const row = (name, list) => console.log(
  `  ${name.padEnd(48)} ${String(median(list)).padStart(6)} ${String(Math.min(...list)).padStart(6)} ${String(Math.max(...list)).padStart(6)}`);
console.log(`\nHisto web app on ${database} (company '${company}', e-mails of ${year} month by month), `
  + `${RUNS} runs, each in a new browser context; Chromium headless on this machine`);
console.log(`  transferred on the first visit: app ${(transfer.app / 1024).toFixed(1)} KB in ${transfer.files} files `
  + `(compressed), API ${(transfer.api / 1024).toFixed(1)} KB in ${transfer.requests} answers`);
console.log(`  up to ${entriesBehind.toLocaleString('en')} entries behind a clicked segment (first page of 50 shown)`);
console.log(`  ${'ms'.padEnd(48)} ${'median'.padStart(6)} ${'min'.padStart(6)} ${'max'.padStart(6)}`);
row('page opened → chart drawn (nothing cached)', timings.opened);
row('  the same, browser clock from navigation start', timings.drawnBrowser);
row('reload → chart drawn (app files cached)', timings.reloaded);
row('click on a bar → entries shown', timings.clicked);
