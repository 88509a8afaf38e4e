// The web app inside the host application's page: an ERP page on another origin (a second local
// port) shows Histo in an iframe through a sign-in link like the PHP client's signInUrl(), and gives
// it a new link when Histo says that the one it had no longer works.
//
//   node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { histo, launchChromium, mintToken, root, startHisto } from './histo.mjs';

const secret = 'framed-test-secret-0123456789abcdef0123456789';
const company = 'ERPCO';
let work, histoServer, erp, erpBase, browser;

/** The ERP's page: Histo in an iframe; on Histo's request, a new link (the test hands it over). */
function erpPage(link) {
  return `<!doctype html><html><head><title>ERP</title></head><body>
<h1>ERP</h1>
<iframe id="histo" src="${link}" width="1200" height="800"></iframe>
<script>
  window.linksAsked = 0;
  window.addEventListener('message', (event) => {
    if (event.data === 'histo:sign-in-needed') {
      window.linksAsked += 1;
      fetch('/new-link').then((r) => r.text()).then((url) => {
        document.getElementById('histo').src = url;
      });
    }
  });
</script></body></html>`;
}

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'histo-framed-'));
  const database = path.join(work, 'histo.db');
  // The ERP on one port, Histo on another: two origins.
  let freshLink = '';
  let firstLink = '';
  erp = createServer((request, response) => {
    if (request.url === '/new-link') {
      response.end(freshLink);
      return;
    }
    response.setHeader('content-type', 'text/html');
    response.end(erpPage(firstLink));
  });
  await new Promise((resolve) => erp.listen(0, '127.0.0.1', resolve));
  erpBase = `http://127.0.0.1:${erp.address().port}`;
  histoServer = await startHisto(database, secret, { HISTO_FRAME_ANCESTORS: erpBase });
  const now = new Date().toISOString();
  const writer = mintToken(database, secret, company, 'events:write', 'ERP');
  const recorded = await fetch(`${histoServer.base}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ feature: 'email', outcome: 'success', site: 'PARIS', user_code: 'JDUPONT', occurred_at: now }),
  });
  assert.equal(recorded.status, 200);
  // A link whose token Histo refuses (signed with another secret), then a good one.
  const forged = histo(database, 'another-secret-of-at-least-thirty-two-bytes', [
    'token', '--company', company, '--user', 'JDUPONT', '--scope', 'logs:read']).stdout.trim();
  firstLink = `${histoServer.base}/#access_token=${forged}`;
  freshLink = `${histoServer.base}/#access_token=${mintToken(database, secret, company, 'logs:read', 'JDUPONT')}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  histoServer?.process.kill();
  erp?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the web app runs in the ERP page and asks it for a new link when its own is refused', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const refusals = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|frame-ancestors|Refused to frame/i.test(message.text())) refusals.push(message.text());
  });
  await page.goto(erpBase);
  // The refused link: Histo asks the ERP for another, which signs the user in.
  await page.waitForFunction(() => window.linksAsked >= 1, null, { timeout: 15_000 });
  const frame = page.frameLocator('#histo');
  await frame.locator('#chart[data-state="ready"] svg path').first().waitFor({ state: 'attached', timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.linksAsked), 1);
  // No password form inside the ERP: it could not be used there.
  assert.equal(await frame.locator('#sign-in-form').count(), 0);
  assert.deepEqual(refusals, []);
  mkdirSync(path.join(root, 'test-output'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'test-output', 'framed-in-the-erp.png') });
  await page.close();
});

test('another site cannot frame the web app', async () => {
  // A page of an origin not in HISTO_FRAME_ANCESTORS: the browser refuses to show Histo in it.
  const other = createServer((request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(`<!doctype html><iframe id="histo" src="${histoServer.base}/"></iframe>`);
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${other.address().port}/`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f.url().startsWith(histoServer.base));
    const shown = frame ? await frame.locator('#app, main').count().catch(() => 0) : 0;
    assert.equal(shown, 0, 'the web app must not render in a frame of another site');
    await page.close();
  } finally {
    other.close();
  }
});
