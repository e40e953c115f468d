// Issue 14 §5 §6 in the browser: a district's commander receives stock at a post and
// moves more than there is (refused in the page's language, nothing moves), then moves
// what there is; the overview's switch (a reason, then a confirmation) puts the district
// in wartime, the board appears and the posts page shows every post on wartime duty;
// switching back keeps the history.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow } = require('./lib/browser.js');

let env;
let srv;
let street;
let station;

before(async () => {
  env = await startAll();
  srv = env.srv;
  street = sql(srv.db, "SELECT code FROM places WHERE level = 2 AND code LIKE '440103%' ORDER BY code LIMIT 1")[0].code;
  station = sql(
    srv.db,
    `SELECT c.code FROM places c JOIN places s ON s.id = c.parent_id WHERE s.code = '${street}' ORDER BY c.code LIMIT 1`,
  )[0].code;
});
after(async () => stopAll(env));

const stock = (code, item) =>
  sql(
    srv.db,
    `SELECT coalesce(sum(s.qty), 0) AS n FROM supplies s JOIN posts p ON p.id = s.post_id
     JOIN places x ON x.id = p.place_id WHERE x.code = '${code}' AND s.item = '${item}'`,
  )[0].n;

test('posts at 360 px: receive, a refused move said in Chinese, a move, the ledger', async (t) => {
  const { context, page } = await newPage(env, { locale: 'zh-CN' });
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'cmd103');
      await page.click('[data-nav=posts]');
      await page.waitForSelector('[data-test=post]');
      await page.click('[data-test=open-receive]');
      await page.selectOption('[data-test=f-post]', street);
      await page.selectOption('[data-test=f-item]', 'masks');
      await page.fill('[data-test=f-qty]', '120');
      await page.fill('[data-test=f-low]', '100');
      await page.click('[data-test=f-submit]');
      await page.waitForSelector('[data-test=done]');
      assert.equal(stock(street, 'masks'), 120);

      await page.click('[data-test=open-move]');
      await page.selectOption('[data-test=f-from]', street);
      await page.selectOption('[data-test=f-to]', station);
      await page.fill('[data-test=f-qty]', '121');
      await page.click('[data-test=f-submit]');
      const err = await page.waitForSelector('[data-test=form-error]');
      assert.equal(await err.textContent(), '调出站点库存不足');
      assert.equal(stock(street, 'masks'), 120);
      await page.fill('[data-test=f-qty]', '30');
      await page.click('[data-test=f-submit]');
      await page.waitForSelector('[data-test=done]');
      assert.equal(stock(street, 'masks'), 90);
      assert.equal(stock(station, 'masks'), 30);
      // 90 < 100: the street's centre is listed low, in its row and among the alerts.
      await page.waitForSelector(`[data-code="${street}"] td.low[data-item=masks]`);
      assert.match(await page.textContent('[data-test=alerts]'), /口罩/);
      assert.equal(await page.locator('[data-test=move]').count(), 2);
      assert.equal(await overflow(page), 0);
    });
  } finally {
    await context.close();
  }
});

test('a grid worker hands food out against a call of their grid: the call is closed, delivered', async (t) => {
  const grid = srv.users.grid1.place;
  const community = sql(
    srv.db,
    `SELECT c.code FROM places g JOIN places c ON c.id = g.parent_id WHERE g.code = '${grid}'`,
  )[0].code;
  const home = sql(srv.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${grid}%' ORDER BY code LIMIT 1`)[0]
    .code;
  const staff = await srv.as('staff103');
  let r = await srv.request('POST', '/api/v1/calls', {
    session: staff,
    body: { place: home, category: 'food', priority: 'normal', text: '家中断粮' },
  });
  assert.equal(r.status, 201, r.text);
  const call = r.json.id;
  r = await srv.request('POST', `/api/v1/posts/${community}/supplies`, {
    session: staff,
    body: { item: 'food_packs', qty: 5 },
  });
  assert.equal(r.status, 201, r.text);
  const closed = () => sql(srv.db, `SELECT closed, outcome FROM calls WHERE id = ${call}`)[0];

  const { context, page } = await newPage(env, { locale: 'zh-CN' });
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'grid1');
      await page.click('[data-nav=posts]');
      await page.waitForSelector('[data-test=post]');
      await page.click('[data-test=open-handout]');
      await page.selectOption('[data-test=f-post]', community);
      await page.selectOption('[data-test=f-item]', 'food_packs');
      await page.fill('[data-test=f-qty]', '2');
      await page.fill('[data-test=f-call]', String(call));
      await page.click('[data-test=f-submit]');
      const ok = await page.waitForSelector('[data-test=done]');
      assert.match(await ok.textContent(), new RegExp(`求助 ${call} 已办结`));
      assert.deepEqual({ ...closed() }, { closed: 1, outcome: 'delivered' });
      assert.equal(stock(community, 'food_packs'), 3);
      // Again: the call is closed, said in Chinese, and nothing leaves the post.
      await page.click('[data-test=open-handout]');
      await page.selectOption('[data-test=f-post]', community);
      await page.selectOption('[data-test=f-item]', 'food_packs');
      await page.fill('[data-test=f-call]', String(call));
      await page.click('[data-test=f-submit]');
      const err = await page.waitForSelector('[data-test=form-error]');
      assert.equal(await err.textContent(), '该求助已办结');
      assert.equal(stock(community, 'food_packs'), 3);
      assert.equal(await overflow(page), 0);
    });
  } finally {
    await context.close();
  }
});

test('the overview: the switch asks a reason and a confirmation; the board and the posts follow', async (t) => {
  const { context, page } = await newPage(env, { locale: 'en' });
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'cmd103');
      await page.goto('/overview');
      await page.waitForSelector('[data-test=wartime][data-on=no]');
      await page.click('[data-test=war-switch]');
      await page.fill('[data-test=war-reason]', 'local cases');
      await page.click('[data-test=war-confirm]');
      // The first press asks to confirm; nothing is switched yet.
      await page.waitForSelector('[data-test=war-form] [role=alert]');
      assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM wartime_switches')[0].n, 0);
      await page.click('[data-test=war-confirm]');
      await page.waitForSelector('[data-test=wartime][data-on=yes]');
      assert.match(await page.textContent('[data-test=wartime]'), /local cases/);
      assert.ok(await page.isVisible('[data-test=war-teams_deployed]'));
      // Beside the forces' figures, the calls' and orders' (the earlier test closed its call).
      for (const k of ['calls_open', 'calls_overdue', 'orders_unacknowledged'])
        assert.equal(await page.textContent(`[data-test=war-${k}] b`), '0', k);
      await page.click('[data-nav=posts]');
      await page.waitForSelector('[data-test=post]');
      const duties = await page.locator('[data-test=duty]').allTextContents();
      assert.ok(duties.length > 0 && duties.every((d) => d.trim() === 'Wartime'), duties.join());

      await page.click('[data-nav=overview]');
      await page.waitForSelector('[data-test=wartime][data-on=yes]');
      await page.click('[data-test=war-switch]');
      await page.fill('[data-test=war-reason]', 'cleared');
      await page.click('[data-test=war-confirm]');
      await page.click('[data-test=war-confirm]');
      await page.waitForSelector('[data-test=wartime][data-on=no]');
      assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM wartime_switches')[0].n, 2);
      assert.match(await page.textContent('[data-test=wartime] .history summary'), /2/);
    });
  } finally {
    await context.close();
  }
});
