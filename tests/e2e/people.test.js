// The operator's pages in the browser (issue 12): People and Person at 360×740 and
// 1440×900 in Chinese and English fit the screen and pass axe-core; the search says how
// many it found (the server's total) and finds a phone; a person's page answers "has she
// been tested?" with the 待复采 badge readable; skeletons while loading; figures kept
// and marked stale when a refresh fails; a server's English 500 never shown raw; and a
// session that expires comes back to the page it was on.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let negative; // a person of the district whose pooled tube was negative
let recalled; // one whose pooled tube was positive: recall pending

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

before(async () => {
  env = await startAll();
  srv = env.srv;
  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '荔湾第一轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round = r.json.round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND p.phone_hash IS NOT NULL ORDER BY p.id LIMIT 2`,
  ).map((x) => x.id);
  const ppl = [];
  for (const id of ids) ppl.push((await srv.get('admin', `/api/v1/people/${id}`)).json.person);
  [negative, recalled] = ppl;
  const scan = (p, tube) => ({
    scan_id: crypto.randomUUID(),
    round,
    site: 'S1',
    tube,
    person: p.code,
    at: new Date().toISOString(),
  });
  const site = { token: srv.tokens.site };
  const lab = { token: srv.tokens.lab };
  r = await post(site, '/api/v1/scans', { scans: [scan(negative, 'PE-NEG'), scan(recalled, 'PE-POS')] });
  assert.equal(r.status, 200, r.text);
  for (const t of ['PE-NEG', 'PE-POS']) assert.equal((await post(site, `/api/v1/tubes/${t}/seal`, {})).status, 200);
  assert.equal((await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['PE-NEG', 'PE-POS'] })).status, 200);
  r = await post(lab, '/api/v1/results', {
    results: [
      { tube: 'PE-NEG', result: 'negative' },
      { tube: 'PE-POS', result: 'positive' },
    ],
  });
  assert.equal(r.status, 200, r.text);
});
after(async () => stopAll(env));

const SIZES = [
  { width: 360, height: 740 },
  { width: 1440, height: 900 },
];
const LANGS = [
  { locale: 'zh-CN', total: /共找到 (\d+) 人/, status: '混管阳性，待复采', negative: '阴性' },
  { locale: 'en-GB', total: /(\d+) people found/, status: 'Pool positive: recall pending', negative: 'Negative' },
];

for (const lang of LANGS) {
  for (const size of SIZES) {
    test(`People and Person at ${size.width}×${size.height} in ${lang.locale}: fit, readable, counted, tested`, async (t) => {
      const { context, page } = await newPage(env, { locale: lang.locale });
      await page.setViewportSize(size);
      try {
        await shot(t, page, async () => {
          await signIn(env, page, 'operator1');
          await page.goto('/people');
          // Everyone under the operator's district: the total is the server's.
          await page.click('button[type=submit]');
          await page.waitForSelector('[data-test=total]');
          const api = await srv.get('operator1', `/api/v1/people?place=${srv.places.district}&limit=1`);
          const shown = (await page.textContent('[data-test=total]')).match(lang.total);
          assert.ok(shown, await page.textContent('[data-test=total]'));
          assert.equal(Number(shown[1].replace(/\D/g, '')), api.json.total);
          // Addresses by name, never the 24-digit household code.
          const cards = await page.$$eval('[data-test=people] li', (els) => els.map((e) => e.textContent));
          assert.ok(cards.length > 0);
          for (const c of cards) assert.doesNotMatch(c, /\d{20,}/);
          assert.equal(await overflow(page), 0, 'People overflows sideways');
          assert.deepEqual(await axeSerious(page), []);

          // By phone: the person is found, and counted.
          await page.fill('[data-test=q]', recalled.phone);
          await page.click('button[type=submit]');
          await page.waitForSelector(`[data-test=people] a[href="/people/${recalled.id}"]`);
          const n = (await page.textContent('[data-test=total]')).match(lang.total);
          assert.ok(Number(n[1]) >= 1);

          // Her record: the round, its status as a badge that meets AA contrast.
          await page.click(`[data-test=people] a[href="/people/${recalled.id}"]`);
          await page.waitForSelector('[data-test=round] [data-test=status]');
          assert.equal((await page.textContent('[data-test=round] [data-test=status]')).trim(), lang.status);
          assert.ok((await page.textContent('[data-test=tests]')).includes('PE-POS'));
          assert.equal(await overflow(page), 0, 'Person overflows sideways');
          assert.deepEqual(await axeSerious(page), []);

          // Offline: the 离线 badge in the header meets AA contrast too.
          await context.setOffline(true);
          await page.waitForSelector('[data-test=offline]');
          assert.deepEqual(await axeSerious(page), []);
          await context.setOffline(false);

          const missing = await page.evaluate(() => window.__musterMissing);
          assert.deepEqual(missing, []);
          assert.deepEqual(page.errors, []);
        });
      } finally {
        await context.close();
      }
    });
  }
}

test('a skeleton while loading; figures kept and marked stale when a refresh fails', async (t) => {
  const { context, page } = await newPage(env);
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'operator1');
      // Hold the person's screening: the page shows a skeleton, not a blank.
      let release;
      const held = new Promise((res) => {
        release = res;
      });
      await page.route('**/api/v1/people/*/screening', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`/people/${negative.id}`);
      await page.waitForSelector('[data-test=tests] [data-test=skeleton]');
      release();
      await page.waitForSelector('[data-test=round] [data-test=status]');
      assert.equal(await page.$('[data-test=skeleton]'), null);
      assert.equal(await page.$('[data-test=stale]'), null);
      await page.unroute('**/api/v1/people/*/screening');

      // The network drops; a refresh keeps what was shown and says since when.
      await page.route('**/api/v1/people/**', (route) => route.abort('internetdisconnected'));
      await page.click('[data-test=refresh]');
      await page.waitForSelector('[data-test=stale]');
      assert.match(await page.textContent('[data-test=stale]'), /网络中断.*\d{2}:\d{2}:\d{2}/);
      assert.equal((await page.textContent('[data-test=round] [data-test=status]')).trim(), '阴性');
      assert.equal(await page.textContent('[data-test=name]'), negative.name);
      assert.equal(await page.$('[data-test=error]'), null);
      await page.unroute('**/api/v1/people/**');
      await page.click('[data-test=refresh]');
      await page.waitForSelector('[data-test=stale]', { state: 'detached' });

      // People: a skeleton while the search runs.
      await page.goto('/people');
      let release2;
      const held2 = new Promise((res) => {
        release2 = res;
      });
      await page.route('**/api/v1/people?*', async (route) => {
        await held2;
        await route.continue();
      });
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-test=skeleton]');
      release2();
      await page.waitForSelector('[data-test=total]');
      assert.equal(await page.$('[data-test=skeleton]'), null);
    });
  } finally {
    await context.close();
  }
});

test("a server's 500 is said in the page's language, never its English text", async (t) => {
  for (const [locale, want] of [
    ['zh-CN', /服务器出错/],
    ['en-GB', /The server failed/],
  ]) {
    const { context, page } = await newPage(env, { locale });
    try {
      await shot(t, page, async () => {
        await signIn(env, page, 'operator1');
        await page.goto('/people');
        await page.route('**/api/v1/people?*', (route) =>
          route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'db_error', message: 'database is locked', field: null } }),
          }),
        );
        await page.click('button[type=submit]');
        await page.waitForSelector('[data-test=error]');
        const text = await page.textContent('[data-test=error]');
        assert.match(text, want);
        assert.doesNotMatch(text, /database is locked/);
        // A 400 on a field names the field in the page's words.
        await page.unroute('**/api/v1/people?*');
        await page.route('**/api/v1/people?*', (route) =>
          route.fulfill({
            status: 400,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'invalid', message: 'q must be UTF-8 text', field: 'q' } }),
          }),
        );
        await page.click('button[type=submit]');
        // The old message goes while the request runs: wait for the new one.
        await page.waitForFunction(() => {
          const e = document.querySelector('[data-test=error]');
          return !!e && !/服务器|server/i.test(e.textContent);
        });
        const bad = await page.textContent('[data-test=error]');
        assert.match(bad, locale === 'zh-CN' ? /查询内容/ : /search text/);
        assert.doesNotMatch(bad, /UTF-8/);
      });
    } finally {
      await context.close();
    }
  }
});

test('a session that expires comes back to the page it was on after signing in again', async (t) => {
  const { context, page } = await newPage(env);
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'operator1');
      await page.goto(`/people/${negative.id}`);
      await page.waitForSelector('[data-test=round]');
      await context.clearCookies();
      await page.click('[data-test=refresh]');
      await page.waitForURL((u) => u.pathname === '/signin');
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('next'), `/people/${negative.id}`);
      await page.fill('input[name=username]', 'operator1');
      await page.fill('input[name=password]', srv.users.operator1.password);
      await page.click('button[type=submit]');
      await page.waitForURL((x) => x.pathname === `/people/${negative.id}`);
      await page.waitForSelector('[data-test=name]');
      assert.equal(await page.textContent('[data-test=name]'), negative.name);
    });
  } finally {
    await context.close();
  }
});
