// The settings page of the company's administrator (`settings:admin`), one test per part: the admin
// password, the right to erasure, the verification of the audit trail's chain, alert rules and
// their history (with a webhook receiver of the test's own), the monthly digest, and what a reader
// sees. Each test has its own server and database (fixture.mjs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { launchChromium } from './histo.mjs';
import {
  axeViolations, company, desktop, focusIsOn, lastMonth, newPage, openHisto, phone, shots, thisMonth,
  useLanguage,
} from './fixture.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const NNBSP = '\u202f';

/** The settings page of a new browser page, signed in as the company's administrator. */
async function adminPage(t, app) {
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${app.base}/settings#access_token=${app.token('logs:read settings:admin')}`);
  await page.waitForSelector('#audit-verification');
  return page;
}

/** Waits until the element of `selector` says exactly `text`. */
async function says(page, selector, text) {
  await page.waitForFunction(([selector, text]) => document.querySelector(selector)?.textContent === text,
    [selector, text], { timeout: 10_000 }).catch(async () => {
    const found = await page.locator(selector).first().textContent().catch(() => null);
    assert.fail(`${selector} says «${found}», not «${text}»`);
  });
}

/** The cells after "when" of the newest audit row of `action`. */
async function auditRow(page, action) {
  const row = `#audit-table tbody tr[data-action="${action}"]`;
  await page.waitForSelector(row);
  return page.locator(row).first().evaluate((tr) => [...tr.cells].slice(1).map((td) => td.textContent));
}

test('1. the admin password: the first set without a current one, then only with it; short, different, missing and wrong refused clearly', async (t) => {
  const app = await openHisto(t, { events: [] });
  const admin = app.token('logs:read settings:admin');
  const page = await adminPage(t, app);
  const form = '#admin-password-form';
  const submit = async (current, password, again) => {
    await page.fill(`${form} input[name="current_password"]`, current);
    await page.fill(`${form} input[name="new_password"]`, password);
    await page.fill(`${form} input[name="new_password_again"]`, again);
    await page.click(`${form} button[type="submit"]`);
  };
  // Checked in the page: nothing reaches the server.
  await submit('', 'short', 'short');
  await says(page, '#admin-password-error', `Le nouveau mot de passe doit compter de 8 à 1${NNBSP}024 caractères.`);
  await submit('', 'first-password', 'first-passwore');
  await says(page, '#admin-password-error', 'Les deux nouveaux mots de passe ne sont pas identiques.');
  assert.deepEqual((await app.api('GET', '/api/v1/audit', admin)).json.items, []);
  // The first one, without a current password.
  await submit('', 'first-password', 'first-password');
  await says(page, '#admin-password-saved', 'Mot de passe administrateur enregistré.');
  assert.deepEqual(await auditRow(page, 'admin_password_changed'),
    ['ADMIN', 'Mot de passe administrateur changé', 'Premier mot de passe administrateur défini.']);
  assert.equal(await page.inputValue(`${form} input[name="new_password"]`), '', 'the fields are emptied');
  // Once one is set: without it (409), wrong (403, in the trail too), then right.
  await submit('', 'second-password', 'second-password');
  await says(page, '#admin-password-error',
    `Un mot de passe administrateur est déjà défini${NNBSP}: tapez-le dans «${NNBSP}Mot de passe actuel${NNBSP}».`);
  await submit('wrong-password', 'second-password', 'second-password');
  await says(page, '#admin-password-error', 'Mot de passe actuel incorrect.');
  await focusIsOn(page, '[name="current_password"]', 'the focus is on the current password');
  assert.deepEqual(await auditRow(page, 'admin_password_refused'), ['ADMIN', 'Mot de passe administrateur refusé', '']);
  await page.screenshot({ path: path.join(shots, 'settings-admin-password-wrong.png'), fullPage: true });
  await submit('first-password', 'second-password', 'second-password');
  await says(page, '#admin-password-saved', 'Mot de passe administrateur enregistré.');
  assert.equal(await page.locator('#admin-password-error').count(), 0);
  await page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr[data-action="admin_password_changed"]').length === 2);
  assert.deepEqual(await auditRow(page, 'admin_password_changed'),
    ['ADMIN', 'Mot de passe administrateur changé', 'Le mot de passe administrateur a changé.']);
  // The server holds the new one, and checks the length itself too.
  const retention = (password) => app.api('PUT', '/api/v1/settings/retention', admin, { months: 24, admin_password: password });
  assert.equal((await retention('first-password')).status, 403);
  assert.equal((await retention('second-password')).status, 200);
  const short = await app.api('PUT', '/api/v1/settings/admin-password', admin,
    { current_password: 'second-password', new_password: 'seven77' });
  assert.equal(short.status, 422, short.text);
  // In English.
  await page.click('#lang-switch');
  await submit('first-password', 'third-password', 'third-password');
  await says(page, '#admin-password-error', 'Wrong current password.');
});

test('2. the right to erasure: confirmed beforehand, refused with a wrong password, then the count, and the entries say ERASED', async (t) => {
  const recent = Date.now() - 10 * 60_000;
  const events = [0, 1, 2, 3].map((i) => ({
    feature: 'email', outcome: 'success', site: 'LYON', user_code: i < 3 ? 'JDUPONT' : 'MARTIN',
    occurred_at: new Date(recent + i * 1000).toISOString(),
  }));
  const app = await openHisto(t, { events });
  assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
  const admin = app.token('logs:read settings:admin');
  const page = await adminPage(t, app);
  const form = '#erasure-form';
  const userCodes = async () => (await app.api('GET', `/api/v1/logs?feature=email&period=${thisMonth}`, admin))
    .json.items.map((e) => e.user_code).sort();
  await page.fill(`${form} input[name="user_code"]`, 'JDUPONT');
  await page.fill(`${form} input[name="admin_password"]`, 'wrong-password');
  await page.click(`${form} button[type="submit"]`);
  const warning = `Toutes les entrées du code utilisateur «${NNBSP}JDUPONT${NNBSP}» seront anonymisées (leur code devient ERASED). C’est définitif.`;
  await says(page, '#erasure-confirm p', warning);
  await focusIsOn(page, '#erase-confirm');
  await page.screenshot({ path: path.join(shots, 'settings-erasure-confirm.png'), fullPage: true });
  // Cancelled: nothing sent.
  await page.click('#erasure-confirm button:not(#erase-confirm)');
  assert.equal(await page.locator('#erasure-confirm').count(), 0);
  await page.click(`${form} button[type="submit"]`);
  await page.click('#erase-confirm');
  await says(page, '#erasure-error', 'Mot de passe administrateur incorrect.');
  assert.deepEqual(await userCodes(), ['JDUPONT', 'JDUPONT', 'JDUPONT', 'MARTIN']);
  await page.fill(`${form} input[name="admin_password"]`, 'right-password');
  await page.click(`${form} button[type="submit"]`);
  await says(page, '#erasure-confirm p', warning);
  await page.click('#erase-confirm');
  await says(page, '#erasure-result', `«${NNBSP}JDUPONT${NNBSP}» effacé${NNBSP}: 3 entrées anonymisées.`);
  assert.equal(await page.locator('#erasure-error').count(), 0);
  assert.deepEqual(await auditRow(page, 'user_erased'), ['ADMIN', 'Effacement d’un code utilisateur', 'Code utilisateur effacé de 3 entrées.']);
  assert.deepEqual(await userCodes(), ['ERASED', 'ERASED', 'ERASED', 'MARTIN']);
  // Nothing left to erase: said so in English.
  await page.click('#lang-switch');
  await page.fill(`${form} input[name="user_code"]`, 'JDUPONT');
  await page.fill(`${form} input[name="admin_password"]`, 'right-password');
  await page.click(`${form} button[type="submit"]`);
  await says(page, '#erasure-confirm p', 'Every entry of the user code “JDUPONT” will be anonymised (its code becomes ERASED). This cannot be undone.');
  await page.click('#erase-confirm');
  await says(page, '#erasure-result', '“JDUPONT” erased: 0 entries anonymised.');
});

test('3. the audit trail says how far its chain is verified, and warns once a row was changed by hand', async (t) => {
  const app = await openHisto(t, { events: [] });
  assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
  const admin = app.token('logs:read settings:admin');
  assert.equal((await app.api('PUT', '/api/v1/settings/retention', admin, { months: 36, admin_password: 'right-password' })).status, 200);
  const page = await adminPage(t, app);
  const local = (at) => page.evaluate((at) => new Date(at).toLocaleString('fr-FR',
    { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' }), at);
  const trail = (await app.api('GET', '/api/v1/audit', admin)).json.items;
  assert.deepEqual(trail.map((e) => e.action), ['retention_changed', 'admin_password_changed']);
  await says(page, '#audit-verification', `Journal vérifié jusqu’au ${await local(trail[0].at)}.`);
  assert.equal(await page.getAttribute('#audit-verification', 'data-intact'), 'true');
  // Someone changes the retention change in the database, by hand.
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', app.database,
    `UPDATE audit_entries SET after_state = '{"retention_months":120}' WHERE action = 'retention_changed'`]);
  const check = (await app.api('GET', '/api/v1/audit/verification', admin)).json;
  assert.equal(check.intact, false, JSON.stringify(check));
  assert.deepEqual([check.first_break.entry, check.first_break.problem], [2, 'changed']);
  await page.reload();
  await page.waitForSelector('#audit-verification[data-intact="false"]');
  await says(page, '#audit-verification', `Attention${NNBSP}: le journal n’est plus tel que Histo l’a écrit. `
    + `L’entrée n°\u00a02 (Durée de conservation modifiée, ${await local(trail[0].at)}) a été modifiée hors de Histo. `
    + `Journal vérifié jusqu’au ${await local(trail[1].at)}.`);
  assert.equal(await page.getAttribute('#audit-verification', 'class'), 'warning');
  await page.screenshot({ path: path.join(shots, 'settings-trail-tampered.png'), fullPage: true });
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('audit-verification').textContent.startsWith('Warning: the trail is no longer as Histo wrote it. Entry #2 (Retention period changed, '));
});

/** A webhook receiver of the test's own on a free loopback port: what it received, in order. */
async function webhookReceiver(t) {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    received,
    /** Waits (30 s at most) until `count` webhooks have come. */
    async until(count) {
      for (let waited = 0; received.length < count; waited += 100) {
        assert.ok(waited < 30_000, `${received.length} webhooks after 30 s, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** A Histo whose webhooks may go to `hooks`' /hooks/ addresses, with uses an hour ago at both sites. */
async function alertingHisto(t, hooks) {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const events = ['LYON', 'PARIS'].map((site) => ({
    feature: 'email', outcome: 'success', site, user_code: 'MARTIN', occurred_at: hourAgo,
  }));
  return openHisto(t, { events, env: { HISTO_WEBHOOK_ALLOW: `${hooks.base}/hooks/` } });
}

/** Adds a rule through the page's form; `condition` is `{ errors, minutes }` or `{ percent, uses }`. */
async function addRule(page, { feature, site = '', condition, url }) {
  const form = '#alert-form';
  await page.waitForSelector(`${form} select[name="feature"] option[value="${feature}"]`, { state: 'attached' });
  await page.selectOption(`${form} select[name="feature"]`, feature);
  if (site) await page.waitForSelector(`${form} select[name="site"] option[value="${site}"]`, { state: 'attached' });
  await page.selectOption(`${form} select[name="site"]`, site);
  await page.check(`${form} input[name="condition"][value="${'errors' in condition ? 'errors' : 'error_share'}"]`);
  for (const [name, value] of Object.entries(condition)) await page.fill(`${form} input[name="${name}"]`, String(value));
  await page.fill(`${form} input[name="webhook_url"]`, url);
  await page.click(`${form} button[type="submit"]`);
}

const refusedAddress = `Le serveur n’autorise pas cette adresse${NNBSP}: seules celles que son exploitant a permises `
  + '(HISTO_WEBHOOK_ALLOW) peuvent recevoir des webhooks.';

test('4 and 5. alert rules: added in the page (its key shown once, copied), fired by recorded errors, signed webhook received, in the history, removed after confirmation', async (t) => {
  const hooks = await webhookReceiver(t);
  const app = await alertingHisto(t, hooks);
  const admin = app.token('logs:read settings:admin');
  const email = (await app.api('GET', '/api/v1/features', admin)).json.find((f) => f.code === 'email').label.fr.replace(/'/g, '’');
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } }, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${app.base}/settings#access_token=${admin}`);
  await page.waitForSelector('#no-rules');
  assert.equal(await page.locator('#alert-events').count(), 0);
  await page.waitForSelector('#no-alert-events');
  // An address outside HISTO_WEBHOOK_ALLOW: the server's 422, said clearly.
  const rule = { feature: 'email', site: 'LYON', condition: { errors: 3, minutes: 10 } };
  await addRule(page, { ...rule, url: `${hooks.base}/elsewhere` });
  await page.waitForSelector('#alert-error');
  assert.ok((await page.locator('#alert-error').innerText()).startsWith(refusedAddress));
  assert.equal((await app.api('GET', '/api/v1/alerts/rules', admin)).json.rules.length, 0);
  await page.screenshot({ path: path.join(shots, 'settings-alert-refused.png'), fullPage: true });
  // Allowed: the key shown once, with a button that copies it.
  await addRule(page, { ...rule, url: `${hooks.base}/hooks/alerts` });
  await page.waitForSelector('#rule-secret');
  assert.equal(await page.locator('#alert-error').count(), 0);
  assert.equal(await page.locator('#rule-secret p').first().innerText(),
    `Clé de signature des webhooks (en-tête X-Histo-Signature, HMAC-SHA256 du corps)${NNBSP}: copiez-la maintenant, elle ne sera plus jamais affichée.`);
  await page.click('#rule-secret button.copy');
  await says(page, '#rule-secret button.copy', 'Clé copiée');
  const secret = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(secret, await page.locator('#rule-secret code').innerText());
  assert.ok(secret.length >= 32, secret);
  const [stored] = (await app.api('GET', '/api/v1/alerts/rules', admin)).json.rules;
  assert.equal(stored.secret, undefined, 'the key is never read again');
  const row = `#alert-rules tbody tr[data-rule="${stored.id}"]`;
  await page.waitForSelector(row);
  assert.deepEqual(await page.locator(`${row} td`).allInnerTexts(),
    [email, 'LYON', 'au moins 3 erreurs en 10 minutes', `${hooks.base}/hooks/alerts`, 'Normal', 'Supprimer']);
  assert.deepEqual(await auditRow(page, 'alert_rule_added'), ['ADMIN', 'Règle d’alerte ajoutée',
    `email, LYON, au moins 3 erreurs en 10 minutes → ${hooks.base}/hooks/alerts`]);
  // Another, on a share of errors at every site.
  await addRule(page, { feature: 'sirene', condition: { percent: 20, uses: 50 }, url: `${hooks.base}/hooks/share` });
  await page.waitForFunction(() => document.querySelectorAll('#alert-rules tbody tr').length === 2);
  assert.equal(await page.locator('#alert-rules tbody tr').last().locator('td').nth(2).innerText(),
    `plus de 20${NNBSP}% d’erreurs sur les 50 dernières utilisations`);

  // Three errors at Lyon: the rule fires (looked at every 5 seconds), the receiver gets it signed.
  const now = Date.now();
  const errors = [0, 1, 2].map((i) => ({ feature: 'email', outcome: 'error', site: 'LYON', user_code: 'MARTIN',
    cause: 'configuration', occurred_at: new Date(now - i * 1000).toISOString() }));
  assert.equal((await app.api('POST', '/api/v1/events', app.token('events:write'), { events: errors })).status, 200);
  await hooks.until(1);
  const [hook] = hooks.received;
  assert.equal(hook.path, '/hooks/alerts');
  assert.equal(hook.headers['x-histo-event'], 'alert.firing');
  assert.equal(hook.headers['x-histo-signature'], `sha256=${createHmac('sha256', secret).update(hook.body).digest('hex')}`);
  const body = JSON.parse(hook.body);
  assert.deepEqual([body.type, body.rule.id, body.window], ['alert.firing', stored.id, { uses: 3, errors: 3 }]);
  // In the history, once refreshed, with its webhook received.
  const sentence = `${email}, LYON${NNBSP}: alerte déclenchée, 3 erreurs sur 3 utilisations (au moins 3 erreurs en 10 minutes).`;
  for (let tries = 0; ; tries += 1) {
    await page.click('#refresh-alerts');
    await page.waitForSelector('#alert-events[data-state="ready"] tbody tr', { timeout: 10_000 }).catch(() => {});
    const cells = await page.locator('#alert-events tbody tr[data-state="firing"] td').allInnerTexts();
    if (cells[2] === 'Reçu par l’ERP') {
      assert.deepEqual(cells.slice(1), [sentence, 'Reçu par l’ERP']);
      break;
    }
    assert.ok(tries < 20, `the history shows ${JSON.stringify(cells)}`);
    await page.waitForTimeout(500);
  }
  await page.waitForSelector(`${row}[data-firing="true"]`);
  assert.equal(await page.locator(`${row} td`).nth(4).innerText(), 'En alerte');
  await page.screenshot({ path: path.join(shots, 'settings-alert-fired.png'), fullPage: true });
  // The key is shown once: not after a reload.
  await page.reload();
  await page.waitForSelector(row);
  assert.equal(await page.locator('#rule-secret').count(), 0);

  // Removed after confirmation (a cancel first keeps it); its history stays.
  await page.click(`${row} button.remove-rule`);
  await page.waitForSelector('#remove-rule-dialog[open]');
  assert.equal(await page.locator('#remove-rule-dialog p').innerText(),
    `Supprimer la règle «${NNBSP}${email}, LYON, au moins 3 erreurs en 10 minutes${NNBSP}»${NNBSP}? `
    + `Ses webhooks déjà en route partent quand même${NNBSP}; son historique reste.`);
  await page.click('#remove-rule-dialog button:not(#remove-rule-confirm)');
  assert.equal((await app.api('GET', '/api/v1/alerts/rules', admin)).json.rules.length, 2);
  await page.click(`${row} button.remove-rule`);
  await page.click('#remove-rule-confirm');
  await page.waitForSelector(row, { state: 'detached' });
  assert.deepEqual((await app.api('GET', '/api/v1/alerts/rules', admin)).json.rules.map((r) => r.feature), ['sirene']);
  assert.deepEqual(await auditRow(page, 'alert_rule_removed'), ['ADMIN', 'Règle d’alerte supprimée',
    `email, LYON, au moins 3 erreurs en 10 minutes → ${hooks.base}/hooks/alerts`]);
  assert.equal(await page.locator('#alert-events tbody tr[data-state="firing"]').count(), 1);
});

test('5. the alert history: a recovery in words, in English too, and page after page', async (t) => {
  const hooks = await webhookReceiver(t);
  const app = await alertingHisto(t, hooks);
  const page = await newPage(browser, t);
  // 120 changes as the API would answer them, newest first, 50 a page: recoveries and firings in turn.
  const events = Array.from({ length: 120 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 10, 30, 12, 0) - i * 60_000).toISOString(), rule_id: 'r', feature: 'sirene', site: null,
    condition: { type: 'error_share', percent: 20, uses: 50 }, state: i % 2 ? 'firing' : 'recovered',
    window: { uses: 50, errors: i % 2 ? 12 : 1 }, webhook: i === 0 ? { state: 'failed', last_error: 'HTTP 500' } : null,
  }));
  await page.route('**/api/v1/alerts/events*', async (route) => {
    const from = Number(new URL(route.request().url()).searchParams.get('cursor') ?? 0);
    const next = from + 50 < events.length ? String(from + 50) : null;
    await route.fulfill({ json: { items: events.slice(from, from + 50), next_cursor: next } });
  });
  await page.goto(`${app.base}/settings#access_token=${app.token('logs:read settings:admin')}`);
  const rows = page.locator('#alert-events tbody tr');
  await page.waitForSelector('#alert-events[data-state="ready"] tbody tr');
  const sirene = (await app.api('GET', '/api/v1/features', app.token('logs:read'))).json.find((f) => f.code === 'sirene').label;
  assert.deepEqual((await rows.first().locator('td').allInnerTexts()).slice(1), [
    `${sirene.fr}, Tous les sites${NNBSP}: retour à la normale, 1 erreur sur 50 utilisations (la règle${NNBSP}: plus de 20${NNBSP}% d’erreurs sur les 50 dernières utilisations).`,
    `Abandonné après une journée d’essais${NNBSP}: HTTP 500`]);
  assert.deepEqual((await rows.nth(1).locator('td').allInnerTexts()).slice(1), [
    `${sirene.fr}, Tous les sites${NNBSP}: alerte déclenchée, 12 erreurs sur 50 utilisations (plus de 20${NNBSP}% d’erreurs sur les 50 dernières utilisations).`, '–']);
  assert.equal(await rows.count(), 50);
  while (await page.locator('#more-alert-events').count() > 0) {
    const shown = await rows.count();
    await page.click('#more-alert-events');
    await page.waitForFunction((n) => document.activeElement === document.querySelectorAll('#alert-events tbody tr')[n], shown);
  }
  assert.equal(await rows.count(), 120);
  await page.click('#lang-switch');
  assert.deepEqual((await rows.first().locator('td').allInnerTexts()).slice(1), [
    `${sirene.en}, All sites: back to normal, 1 error out of 50 uses (the rule: error share above 20% over the last 50 uses).`,
    'Given up after a day of tries: HTTP 500']);
});

test('6. the monthly digest: none at first, an address refused then set (its key shown once), then stopped', async (t) => {
  const hooks = await webhookReceiver(t);
  const app = await alertingHisto(t, hooks);
  const admin = app.token('logs:read settings:admin');
  const page = await adminPage(t, app);
  await says(page, '#digest-current', 'Aucun récapitulatif mensuel n’est envoyé.');
  assert.equal(await page.locator('#stop-digest').count(), 0);
  const form = '#digest-form';
  await page.fill(`${form} input[name="webhook_url"]`, 'https://elsewhere.example.com/digest');
  await page.click(`${form} button[type="submit"]`);
  await page.waitForSelector('#digest-error');
  assert.ok((await page.locator('#digest-error').innerText()).startsWith(refusedAddress));
  const address = `${hooks.base}/hooks/digest`;
  await page.fill(`${form} input[name="webhook_url"]`, address);
  await page.click(`${form} button[type="submit"]`);
  await page.waitForSelector('#digest-secret code');
  assert.equal(await page.locator('#digest-error').count(), 0);
  const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
  await says(page, '#digest-current', `Envoyé le 1er de chaque mois à ${address}${NNBSP}; le prochain portera sur `
    + `${months[Number(thisMonth.slice(5)) - 1]} ${thisMonth.slice(0, 4)}.`);
  assert.deepEqual((await app.api('GET', '/api/v1/alerts/digest', admin)).json, { webhook_url: address, last_month: lastMonth });
  assert.deepEqual(await auditRow(page, 'digest_changed'), ['ADMIN', 'Récapitulatif mensuel modifié', `Envoyé à ${address}.`]);
  await page.click('#stop-digest');
  await says(page, '#digest-stopped', 'Récapitulatif arrêté.');
  await says(page, '#digest-current', 'Aucun récapitulatif mensuel n’est envoyé.');
  assert.equal(await page.locator('#digest-secret').count(), 0);
  assert.deepEqual((await app.api('GET', '/api/v1/alerts/digest', admin)).json, { webhook_url: null, last_month: null });
  await page.waitForFunction(() => document.querySelectorAll('#audit-table tbody tr[data-action="digest_changed"]').length === 2);
  assert.deepEqual(await auditRow(page, 'digest_changed'), ['ADMIN', 'Récapitulatif mensuel modifié', 'Arrêté.']);
});

test('7. a reader without settings:admin sees none of the administrator’s forms', async (t) => {
  const app = await openHisto(t, { events: [] });
  const page = await newPage(browser, t);
  await page.goto(`${app.base}/settings#access_token=${app.token('logs:read')}`);
  await page.waitForSelector('#settings-read-only');
  for (const part of ['#change-retention', '#admin-password-form', '#erasure-form', '#alert-form', '#alert-rules',
    '#alert-events', '#digest-form', '#audit-verification', '#audit-table']) {
    assert.equal(await page.locator(part).count(), 0, part);
  }
  assert.equal(await page.locator('main input, main select, main button').count(), 0);
});

for (const lang of ['fr', 'en']) {
  test(`8. everything open in ${lang}, on a desktop and a phone: no axe-core violation, screenshots`, async (t) => {
    const hooks = await webhookReceiver(t);
    const app = await alertingHisto(t, hooks);
    assert.equal(app.histo(['admin-password', '--company', company], 'right-password\n').status, 0);
    const admin = app.token('logs:read settings:admin');
    // A rule that has fired.
    const made = await app.api('POST', '/api/v1/alerts/rules', admin, { feature: 'email', site: 'PARIS',
      condition: { type: 'errors', errors: 1, minutes: 5 }, webhook_url: `${hooks.base}/hooks/alerts` });
    assert.equal(made.status, 201, made.text);
    const error = { feature: 'email', outcome: 'error', site: 'PARIS', user_code: 'MARTIN', cause: 'configuration', occurred_at: new Date().toISOString() };
    assert.equal((await app.api('POST', '/api/v1/events', app.token('events:write'), error)).status, 200);
    await hooks.until(1);
    for (const [device, size] of [['desktop', desktop], ['phone', phone]]) {
      const page = await newPage(browser, t, size);
      await useLanguage(page, lang);
      await page.goto(`${app.base}/settings#access_token=${admin}`);
      await page.waitForSelector('#alert-events tbody tr');
      await page.waitForSelector('#alert-rules tbody tr');
      // A refusal, a confirmation and the keys shown once, all open.
      await page.fill('#admin-password-form input[name="new_password"]', 'short');
      await page.click('#admin-password-form button[type="submit"]');
      await page.waitForSelector('#admin-password-error');
      await addRule(page, { feature: 'sms', condition: { percent: 10, uses: 20 }, url: `${hooks.base}/hooks/sms` });
      await page.waitForSelector('#rule-secret');
      await page.fill('#digest-form input[name="webhook_url"]', `${hooks.base}/hooks/digest`);
      await page.click('#digest-form button[type="submit"]');
      await page.waitForSelector('#digest-secret');
      await page.fill('#erasure-form input[name="user_code"]', 'MARTIN');
      await page.fill('#erasure-form input[name="admin_password"]', 'right-password');
      await page.click('#erasure-form button[type="submit"]');
      await page.waitForSelector('#erasure-confirm');
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await axeViolations(page), [], `${lang} ${device}`);
      await page.screenshot({ path: path.join(shots, `settings-admin-${lang}-${device}.png`), fullPage: true });
      assert.deepEqual(page.problems, []);
    }
  });
}
