// What each browser test starts from: its own Histo (a fresh SQLite database and server, stopped
// after the test) holding the known events, dated relative to today in the company's time zone
// (Europe/Paris, which the browser is given too), and pages in a desktop or phone-sized browser.

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { histo, mintToken, root, startHisto } from './histo.mjs';

export const secret = 'browser-test-secret-0123456789abcdef0123456789';
export const company = 'ACME';
export const zone = 'Europe/Paris';
export const shots = path.join(root, 'test-output');
mkdirSync(shots, { recursive: true });

/** `YYYY-MM` of an instant, in Paris. */
export function monthOf(instant) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' })
    .formatToParts(new Date(instant));
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

/** The month `n` months after `month` (`YYYY-MM`), before it when `n` is negative. */
export function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + m - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const thisMonth = monthOf(Date.now());
export const lastMonth = addMonths(thisMonth, -1);
// The year of most known data: this one once its months used below (January to May) are past, so
// that no event lies in the future.
export const year = Number(thisMonth.slice(5)) >= 6 ? Number(thisMonth.slice(0, 4)) : Number(thisMonth.slice(0, 4)) - 1;
export const Y = String(year);

let n = 0;
function event(feature, outcome, site, at, extra = {}) {
  n += 1;
  return { feature, outcome, site, user_code: `U${n}`, occurred_at: at, ...extra };
}

/**
 * The known events. E-mails in March of Y: 3 sent, 2 errors, 1 stopped; one sent at 23:30 UTC on
 * 31 March (April in Paris), one in May; 4 in June of the year before; one older than the 24 months
 * kept (refused as expired). DEA updates, SIRENE checks of every outcome, attachments; 60 SMS in
 * January (more than a page); in May 2,000 VIES checks beside one error and one "no result" (small
 * segments); PHP web API: 3 connections this month and an error last month.
 */
export function knownEvents() {
  const recent = Date.now() - 60_000;
  return [
    event('email', 'success', 'LYON', `${Y}-03-02T09:00:00+01:00`),
    event('email', 'success', 'LYON', `${Y}-03-10T10:00:00+01:00`),
    event('email', 'success', 'PARIS', `${Y}-03-11T11:00:00+01:00`),
    event('email', 'error', 'LYON', `${Y}-03-12T12:00:00+01:00`, { cause: 'configuration', code: 'SMTP_AUTH' }),
    event('email', 'error', 'PARIS', `${Y}-03-13T13:00:00+01:00`, { cause: 'configuration', code: 'SMTP_DNS' }),
    event('email', 'stopped', 'PARIS', `${Y}-03-14T14:00:00+01:00`),
    event('email', 'success', 'LYON', `${Y}-03-31T23:30:00Z`),
    event('email', 'success', 'PARIS', `${Y}-05-05T08:00:00+02:00`),
    ...[1, 2, 3, 4].map((d) => event('email', 'success', 'LYON', `${year - 1}-06-0${d}T08:00:00+02:00`)),
    event('email', 'success', 'LYON', `${year - 3}-06-01T08:00:00+02:00`),
    event('dea_update', 'success', 'LYON', `${Y}-02-01T08:00:00+01:00`, { detail: { changed: 'code' } }),
    event('dea_update', 'success', 'PARIS', `${Y}-02-02T08:00:00+01:00`, { detail: { changed: 'amount' } }),
    event('sirene', 'success', 'LYON', `${Y}-02-03T08:00:00+01:00`),
    event('sirene', 'success', 'LYON', `${Y}-02-04T08:00:00+01:00`),
    event('sirene', 'no_result', 'LYON', `${Y}-02-05T08:00:00+01:00`),
    event('sirene', 'error', 'PARIS', `${Y}-02-06T08:00:00+01:00`, { cause: 'remote_api', code: 'HTTP_429' }),
    event('sirene', 'stopped', 'PARIS', `${Y}-02-07T08:00:00+01:00`),
    event('attachment', 'success', 'LYON', `${Y}-04-03T08:00:00+02:00`),
    event('attachment', 'success', 'LYON', `${Y}-04-04T08:00:00+02:00`),
    event('attachment', 'error', 'PARIS', `${Y}-04-05T08:00:00+02:00`, { cause: 'execution' }),
    ...Array.from({ length: 60 }, (_, i) =>
      event('sms', 'success', 'LYON', `${Y}-01-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i).padStart(2, '0')}:00+01:00`)),
    ...Array.from({ length: 2000 }, (_, i) =>
      event('vies', 'success', 'LYON', new Date(Date.parse(`${Y}-05-02T08:00:00+02:00`) + i * 60_000).toISOString())),
    event('vies', 'error', 'PARIS', `${Y}-05-20T08:00:00+02:00`, { cause: 'invalid_number', code: 'VIES_FORMAT' }),
    event('vies', 'no_result', 'PARIS', `${Y}-05-21T08:00:00+02:00`),
    ...[0, 1, 2].map((i) => event('php_web_api', 'success', 'LYON', new Date(recent - i * 1000).toISOString())),
    event('php_web_api', 'error', 'PARIS', `${lastMonth}-15T12:00:00+01:00`, { cause: 'configuration' }),
  ];
}

/**
 * A Histo of its own for test `t` (with the environment variables `env` besides), the known events
 * recorded (or `events`): `{ base, database, events, token(scope, user), api(method, url, token,
 * body), histo(args, input), stored(predicate) }`.
 */
export async function openHisto(t, { events = knownEvents(), env = {} } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'histo-browser-'));
  const database = path.join(work, 'histo.db');
  const server = await startHisto(database, secret, env);
  t.after(() => {
    server.process.kill();
    rmSync(work, { recursive: true, force: true });
  });
  const app = {
    base: server.base,
    database,
    events,
    token: (scope, user = 'ADMIN') => mintToken(database, secret, company, scope, user),
    histo: (args, input) => histo(database, secret, args, input),
    async api(method, url, token, body) {
      const response = await fetch(server.base + url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: response.status, json, text };
    },
    /** The known events that Histo keeps (not expired) and that `keep` selects. */
    stored(keep) {
      const oldest = addMonths(thisMonth, -24);
      return events.filter((e) => monthOf(e.occurred_at) >= oldest && keep(e));
    },
  };
  if (events.length) {
    const recorded = await app.api('POST', '/api/v1/events', app.token('events:write'), { events });
    assert.equal(recorded.status, 200, recorded.text);
    const expired = events.length - app.stored(() => true).length;
    assert.deepEqual(recorded.json, { accepted: events.length - expired, duplicates: 0, expired });
  }
  return app;
}

export const desktop = { viewport: { width: 1280, height: 800 } };
export const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/** A new page of `browser` in its own context (closed after test `t`), in Paris time. */
export async function newPage(browser, t, device = desktop, options = {}) {
  const context = await browser.newContext({ ...device, timezoneId: zone, ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.problems = problems;
  return page;
}

/** Sets the interface language before the app starts (it is kept in localStorage). */
export async function useLanguage(page, lang) {
  await page.addInitScript((lang) => localStorage.setItem('histo.lang', lang), lang);
}

const axeSource = readFileSync(path.join(root, 'frontend/node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it is now, one line each (all impacts, every rule). */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The count in the table cell of a period and outcome (`total` for the row's total). */
export async function cell(page, period, outcome) {
  const count = await page.locator(`#stats-table td[data-period="${period}"][data-outcome="${outcome}"]`)
    .getAttribute('data-count');
  return Number(count);
}

/**
 * Waits until the focus is on the element `selector` matches: the app moves it on the frame after
 * drawing what it opened, so reading it at once would race. Fails saying where the focus is instead.
 */
export async function focusIsOn(page, selector, message = 'the focus') {
  try {
    await page.waitForFunction((s) => document.activeElement?.matches(s), selector, { timeout: 5_000 });
  } catch {
    const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
    assert.fail(`${message}: expected on ${selector}, found on ${at}`);
  }
}
