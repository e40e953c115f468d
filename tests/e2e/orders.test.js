// Orders on a phone (issue 14, item 2 and 7): a district order forwarded down to a grid;
// the grid worker opens it from the nav on a 360×740 phone, acknowledges the grid's
// target, and the tracker shows it acknowledged (the roll-up too) without a reload by
// hand; the district's tracker at a desk shows the same. Both fit the width and have no
// serious axe-core violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let order;
let grid;

const parent = (code) =>
  sql(srv.db, `SELECT p.code FROM places c JOIN places p ON p.id = c.parent_id WHERE c.code = '${code}'`)[0].code;

before(async () => {
  env = await startAll();
  srv = env.srv;
  grid = srv.users.grid1.place;
  const community = parent(grid);
  const street = parent(community);
  const as = async (who, url, body) => {
    const r = await srv.request('POST', url, { session: await srv.as(who), body });
    assert.ok(r.status === 200 || r.status === 201, `${url}: ${r.status} ${r.text}`);
    return r.json;
  };
  order = (
    await as('cmd103', '/api/v1/orders', {
      title: '全员核酸检测',
      text: '今日完成网格内全员核酸检测',
      targets: { level: 'street', under: srv.places.district },
    })
  ).id;
  await as('staff103', `/api/v1/orders/${order}/targets/${street}/forward`, { targets: [community] });
  await as('staff103', `/api/v1/orders/${order}/targets/${community}/forward`, {
    targets: { level: 'grid', under: community },
  });
});
after(async () => stopAll(env));

test('a grid worker acknowledges on a 360 px phone and the tracker shows it', async (t) => {
  const { context, page } = await newPage(env, { locale: 'zh-CN' });
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'grid1');
      await page.click('[data-nav=orders]');
      await page.waitForURL(/\/orders/);
      await page.waitForSelector(`[data-order="${order}"]`);
      assert.equal(await overflow(page), 0, 'the list overflows');
      await page.click(`[data-order="${order}"] a`);
      await page.waitForURL(new RegExp(`/orders/${order}$`));
      const target = `[data-target="${grid}"]`;
      await page.waitForSelector(target);
      // The grid worker is shown their own grid's target alone, pending, with its buttons.
      const shown = await page.$$eval('[data-target]', (els) => els.map((e) => e.dataset.target));
      assert.deepEqual(shown, [grid]);
      assert.equal(await page.getAttribute(target, 'data-state'), 'pending');
      assert.equal(await overflow(page), 0, 'the tracker overflows');
      assert.deepEqual(await axeSerious(page), []);
      await page.click(`${target} [data-step=ack]`);
      await page.waitForSelector(`${target}[data-state=acknowledged]`);
      assert.match(await page.textContent(`${target} [data-test=ot-state]`), /已签收/);
      assert.equal(await page.textContent('[data-level=grid] [data-test=od-ack]'), '1/1');
      assert.deepEqual(page.errors, []);
    });
  } finally {
    await context.close();
  }
  // The server has it, once.
  const steps = sql(srv.db, `SELECT count(*) AS n FROM order_steps WHERE order_id = ${order} AND kind = 'ack'`)[0].n;
  assert.equal(steps, 3, 'the street and community acknowledged by forwarding, the grid by its worker');
});

test('the district tracker at a desk shows the grid acknowledged, in English', async (t) => {
  const { context, page } = await newPage(env, { locale: 'en-GB' });
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await shot(t, page, async () => {
      await signIn(env, page, 'cmd103');
      await page.goto(`/orders/${order}`);
      const target = `[data-target="${grid}"]`;
      await page.waitForSelector(`${target}[data-state=acknowledged]`);
      assert.match(await page.textContent(`${target} [data-test=ot-state]`), /acknowledged/);
      // Its street and community above it, in the tree.
      const chain = await page.$eval(target, (el) => {
        const out = [];
        for (let p = el.parentElement; p; p = p.parentElement)
          if (p.dataset && p.dataset.target) out.push(p.dataset.target);
        return out;
      });
      assert.deepEqual(chain, [parent(grid), parent(parent(grid))]);
      const streets = sql(
        srv.db,
        `SELECT count(*) AS n FROM places WHERE level = 2 AND code LIKE '${srv.places.district}%'`,
      )[0].n;
      assert.equal(await page.textContent('[data-level=street] [data-test=od-ack]'), `1/${streets}`);
      assert.equal(await overflow(page), 0);
      assert.deepEqual(await axeSerious(page), []);
      assert.deepEqual(page.errors, []);
    });
  } finally {
    await context.close();
  }
});
