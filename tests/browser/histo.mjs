// What the browser tests and the web speed script share: the `histo` binary (a server on a free port,
// tokens), headless Chromium, and where things are on the drawn chart.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'frontend/package.json'));
const { chromium } = require('playwright-core');

/** The `histo` binary: $HISTO_BIN, else the debug build under $CARGO_TARGET_DIR or target/. */
export const binary = process.env.HISTO_BIN
  ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'debug/histo');

/** Runs `histo args…` on `database` signed with `secret`, `input` on its standard input. */
export function histo(database, secret, args, input) {
  return spawnSync(binary, args, {
    env: { ...process.env, HISTO_JWT_SECRET: secret, HISTO_DATABASE_URL: database },
    input, encoding: 'utf8',
  });
}

/** A token of `company` for `user` with `scope`, minted by `histo token`. */
export function mintToken(database, secret, company, scope, user) {
  const run = histo(database, secret, ['token', '--company', company, '--user', user, '--scope', scope]);
  if (run.status !== 0) throw new Error(`histo token failed: ${run.stderr}`);
  return run.stdout.trim();
}

/**
 * `histo serve` on `database` and a free local port, with `env`'s variables besides; resolves to
 * { base, process } once it listens.
 */
export async function startHisto(database, secret, env = {}) {
  const server = spawn(binary, ['serve', '--bind', '127.0.0.1:0', '--database-url', database], {
    env: { ...process.env, HISTO_JWT_SECRET: secret, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const base = await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`no address in 30 s:\n${log}`)), 30_000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const plain = log.replace(/\x1b\[[0-9;]*m/g, '');
      const found = plain.match(/Histo listens on (http:\/\/[0-9.:]+)/);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    });
    server.on('exit', (code) => reject(new Error(`histo exited (${code}):\n${log}`)));
  });
  return { base, process: server };
}

/** Debian's headless Chromium. */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Waits until the chart is drawn. */
export async function chartReady(page) {
  await page.waitForSelector('#chart[data-state="ready"] svg path', { state: 'attached', timeout: 15_000 });
}

/** The page coordinates of the point at (bar index, value) on the chart: a real mouse clicks there. */
export async function chartPoint(page, bar, value) {
  return page.evaluate(([bar, value]) => {
    const element = document.getElementById('chart');
    const chart = echarts.getInstanceByDom(element);
    const [x, y] = chart.convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [bar, value]);
    const box = element.getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  }, [bar, value]);
}

/**
 * The figures of the chart once they are `expected` (the chart of the previous span stays on screen
 * while the new figures load), or as they are after 15 s: the caller compares them.
 */
export async function settledSeries(page, expected) {
  await chartReady(page);
  await page.waitForFunction((want) => {
    const chart = echarts.getInstanceByDom(document.getElementById('chart'));
    return JSON.stringify(chart?.getOption().series.map((s) => s.data)) === want;
  }, JSON.stringify(expected), { timeout: 15_000 }).catch(() => {});
  return chartSeries(page);
}

/** The figures of the chart as ECharts holds them: one array of values per outcome. */
export async function chartSeries(page) {
  return page.evaluate(() => {
    const chart = echarts.getInstanceByDom(document.getElementById('chart'));
    return chart.getOption().series.map((s) => s.data);
  });
}
