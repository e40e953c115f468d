// overview-load: from pressing "sign in" to the overview fully drawn (tiles filled,
// treemap finished) in headless Debian chromium, each run in a fresh browser context
// (empty cache, new session). Baseline, in the same run: loading the sign-in page itself
// (the app shell, static files only) in a fresh context.
// Usage: node bench/overview_load.js URL USER PASSWORD [RUNS]; prints JSON on stdout.
'use strict';

const { chromium } = require('playwright-core');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main() {
  const [url, user, password, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg || 5);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
  const shell = [];
  const overview = [];
  let transferred = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ baseURL: url, locale: 'zh-CN', serviceWorkers: 'block' });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      let bytes = 0;
      page.on('response', async (r) => {
        const len = Number(r.headers()['content-length'] || 0);
        if (r.url().endsWith('.js')) bytes += len;
      });
      let t0 = Date.now();
      await page.goto('/signin', { waitUntil: 'load' });
      await page.waitForSelector('input[name=username]');
      shell.push(Date.now() - t0);
      await page.fill('input[name=username]', user);
      await page.fill('input[name=password]', password);
      t0 = Date.now();
      await page.click('button[type=submit]');
      await page.waitForSelector('section.overview[data-drawn=yes] [data-test=tile-coverage]');
      await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 2);
      overview.push(Date.now() - t0);
      transferred = Math.max(transferred, bytes);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ runs, overview_ms: overview, shell_ms: shell,
    overview_p50: pct(overview, 50), overview_max: Math.max(...overview), shell_p50: pct(shell, 50),
    js_bytes_on_wire: transferred }));
}

main().catch((e) => { console.error(e); process.exit(1); });
