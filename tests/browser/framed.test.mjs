// The web app inside the host application's page: an ERP page on another origin (a second local
// port) shows Histo in an iframe through a sign-in link like the PHP client's signInUrl(), and gives
// it a new link when Histo says that the one it had no longer works. Each test has its own Histo.
//
//   node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import path from 'node:path';
import { histo, launchChromium } from './histo.mjs';
import { company, newPage, openHisto, shots } from './fixture.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

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

/** A page of another origin, served for test `t`: `page(url)` answers its HTML. */
async function otherOrigin(t, page) {
  const server = createServer((request, response) => {
    if (request.url === '/new-link') {
      response.end(page.newLink());
      return;
    }
    response.setHeader('content-type', 'text/html');
    response.end(page.html());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

test('the web app runs in the ERP page and asks it for a new link when its own is refused', async (t) => {
  // The ERP on one port, Histo on another: two origins.
  const links = { first: '', fresh: '' };
  const erp = await otherOrigin(t, { html: () => erpPage(links.first), newLink: () => links.fresh });
  const app = await openHisto(t, {
    env: { HISTO_FRAME_ANCESTORS: erp },
    events: [{ feature: 'email', outcome: 'success', site: 'PARIS', user_code: 'JDUPONT', occurred_at: new Date().toISOString() }],
  });
  // A link whose token Histo refuses (signed with another secret), then a good one.
  const forged = histo(app.database, 'another-secret-of-at-least-thirty-two-bytes', [
    'token', '--company', company, '--user', 'JDUPONT', '--scope', 'logs:read']).stdout.trim();
  links.first = `${app.base}/#access_token=${forged}`;
  links.fresh = `${app.base}/#access_token=${app.token('logs:read', 'JDUPONT')}`;
  const page = await newPage(browser, t, { viewport: { width: 1280, height: 900 } });
  const refusals = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|frame-ancestors|Refused to frame/i.test(message.text())) refusals.push(message.text());
  });
  await page.goto(erp);
  // The refused link: Histo asks the ERP for another, which signs the user in.
  await page.waitForFunction(() => window.linksAsked >= 1, null, { timeout: 15_000 });
  const frame = page.frameLocator('#histo');
  await frame.locator('#chart[data-state="ready"] svg path').first().waitFor({ state: 'attached', timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.linksAsked), 1);
  // No password form inside the ERP: it could not be used there.
  assert.equal(await frame.locator('#sign-in-form').count(), 0);
  assert.deepEqual(refusals, []);
  await page.screenshot({ path: path.join(shots, 'framed-in-the-erp.png') });
});

test('another site cannot frame the web app', async (t) => {
  const app = await openHisto(t, { events: [] });
  // A page of an origin not in HISTO_FRAME_ANCESTORS: the browser refuses to show Histo in it.
  const other = await otherOrigin(t, {
    html: () => `<!doctype html><iframe id="histo" src="${app.base}/"></iframe>`,
    newLink: () => '',
  });
  const page = await newPage(browser, t);
  await page.goto(`${other}/`);
  await page.waitForTimeout(1500);
  const frame = page.frames().find((f) => f.url().startsWith(app.base));
  const shown = frame ? await frame.locator('#app, main').count().catch(() => 0) : 0;
  assert.equal(shown, 0, 'the web app must not render in a frame of another site');
});
