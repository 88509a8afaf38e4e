// Every screen of the web app in French and English, on a desktop (1280×800) and a phone (375×740):
// axe-core (from npm, frontend/package.json) finds no violation of any impact on any of them, and
// each is saved as test-output/screens/<screen>-<language>-<device>.png to be looked at.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chartReady, launchChromium } from './histo.mjs';
import { Y, axeViolations, company, desktop, newPage, openHisto, phone, shots, useLanguage, year } from './fixture.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const folder = path.join(shots, 'screens');
mkdirSync(folder, { recursive: true });

/** Each screen: its name, how to reach it from the signed-in app, and what says that it is drawn. */
const screens = [
  ['statistics', '/?feature=email', async (page) => chartReady(page)],
  ['statistics-year-entries', `/?feature=email&granularity=month&year=${Y}&period=${Y}-03&outcome=error`,
    async (page) => { await chartReady(page); await page.waitForSelector('#entries[data-state="ready"] tbody tr'); }],
  ['statistics-table-shares-sites', `/?feature=sirene&granularity=month&year=${Y}&view=table&scale=share`,
    async (page) => { await page.waitForSelector('#stats-table'); await page.click('#sites-button'); await page.waitForSelector('#site-list input'); }],
  ['statistics-years', '/?feature=email&granularity=year', async (page) => chartReady(page)],
  ['statistics-empty-period', `/?feature=email&granularity=month&year=${year - 2}`,
    async (page) => page.waitForFunction(() => /\d+ (mois|months)/.test(document.getElementById('no-uses')?.textContent))],
  ['sites', '/sites', async (page) => page.waitForSelector('#sites-table')],
  ['settings', '/settings', async (page) => page.waitForSelector('#audit-table tbody tr')],
  ['settings-retention-dialog', '/settings', async (page) => {
    await page.waitForSelector('#audit-table tbody tr');
    await page.click('#change-retention');
    await page.fill('#retention-dialog input[name="months"]', '6');
    await page.waitForSelector('#retention-dialog input[name="confirm"]');
  }],
];

for (const lang of ['fr', 'en']) {
  for (const [device, size] of [['desktop', desktop], ['phone', phone]]) {
    test(`every screen in ${lang} on a ${device}: no axe-core violation, a screenshot each`, async (t) => {
      const app = await openHisto(t);
      assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
      const page = await newPage(browser, t, size);
      await useLanguage(page, lang);
      const found = [];
      const look = async (name) => {
        await page.waitForLoadState('networkidle');
        found.push(...(await axeViolations(page)).map((v) => `${name}: ${v}`));
        await page.screenshot({ path: path.join(folder, `${name}-${lang}-${device}.png`), fullPage: true });
      };
      // The sign-in page, after a link that is not valid.
      await page.goto(`${app.base}/#access_token=not.a.token`);
      await page.waitForSelector('#sign-in-note');
      await look('sign-in');
      const everything = app.token('logs:read sites:manage settings:admin');
      await page.goto(`${app.base}/#access_token=${everything}`);
      for (const [name, address, drawn] of screens) {
        await page.goto(app.base + address);
        await drawn(page);
        await look(name);
      }
      assert.deepEqual(found, []);
      assert.deepEqual(page.problems, []);
    });
  }
}
