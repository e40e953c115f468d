// Browser tests' harness: a real `muster serve --web web/dist` over a fresh small city
// (the API tests' fixture), Debian's chromium driven by playwright-core headless with a
// fresh profile, and a screenshot under build/e2e/ of any test that fails.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { start, restart, musterOk, ROOT } = require('../../api/lib/server.js');

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SHOTS = path.join(ROOT, 'build', 'e2e');

const WEB = process.env.MUSTER_WEB || path.join(ROOT, 'web', 'dist');

async function startAll() {
  const srv = await start(['--web', WEB]);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-chromium-'));
  const browser = await chromium
    .launch({ executablePath: CHROMIUM, args: [...ARGS, `--user-data-dir=${profile}`], headless: true })
    .catch(async () => chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true }));
  return { srv, browser, profile };
}

// Runs fn (commands that write: `muster token issue`, `muster import`) between two
// servers — no command writes beside one — so env.srv is a new server afterwards, on the
// same database and web app, with the same sessions.
async function between(env, fn) {
  env.srv = await restart(env.srv, ['--web', WEB], fn);
  return env.srv;
}

// A sampling site at place (a site samples the people living there only) and a device
// token for it, issued between two servers (see between). Resolves to the token.
async function siteToken(env, code, place) {
  const s = await env.srv.as('admin');
  const r = await env.srv.request('POST', '/api/v1/sites', { session: s, body: { code, place, name: code, desks: 1 } });
  if (r.status !== 201) throw new Error(`site ${code}: ${r.status} ${r.text}`);
  let token;
  await between(env, () => {
    const out = musterOk(['token', 'issue', '--site', code, '--db', env.srv.db]).stdout;
    token = out
      .split('\n')
      .map((x) => x.trim())
      .find((x) => /^[a-z2-7]{52}$/.test(x));
  });
  return token;
}

// A fresh context (its own cookies, storage and service workers) and page.
async function newPage(env, { locale = 'zh-CN' } = {}) {
  const context = await env.browser.newContext({
    baseURL: env.srv.url,
    locale,
    timezoneId: 'Europe/London',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // The server's Content-Security-Policy must not block anything the app does.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) page.errors.push(m.text());
  });
  return { context, page };
}

async function signIn(env, page, name) {
  await page.goto('/signin');
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', env.srv.users[name].password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

// Runs fn; on failure keeps a screenshot named after the test, then fails.
async function shot(t, page, fn) {
  try {
    return await fn();
  } catch (e) {
    fs.mkdirSync(SHOTS, { recursive: true });
    const file = path.join(SHOTS, `${t.name.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${file})`;
    throw e;
  }
}

async function stopAll(env) {
  if (!env) return;
  try {
    if (env.browser) await env.browser.close();
  } finally {
    fs.rmSync(env.profile, { recursive: true, force: true });
    if (env.srv) {
      try {
        await env.srv.stop();
      } finally {
        env.srv.cleanup();
      }
    }
  }
}

// The page's horizontal overflow in CSS pixels (0: it fits the viewport's width).
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

// axe-core's serious and critical violations on the page as it stands (WCAG 2 A/AA rules,
// colour contrast included), as short strings "rule: target".
async function axeSerious(page) {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const res = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] }),
  );
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

module.exports = { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious, between, siteToken, SHOTS };
