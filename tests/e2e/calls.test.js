// The calls board (issue 14 §1, §7): a grid worker's board shows a call's live countdown
// (ticking without a reload) and the rung it holds; when the call is not acknowledged in
// time the server's sweep climbs it, and the board shows it at the level above, overdue,
// without a reload; acknowledging from the card goes through the outbox and the card
// says so. Fits 360 px with no serious axe-core violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql, musterOk } = require('../api/lib/server.js');
const { startAll, stopAll, between, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let grid;
let home;

before(async () => {
  env = await startAll();
  // Urgent calls: 18 seconds a rung, so that a climb happens while the page is open.
  await between(env, () =>
    musterOk([
      'call',
      'deadline',
      'set',
      '--category',
      '*',
      '--priority',
      'urgent',
      '--minutes',
      '0.3',
      '--db',
      env.srv.db,
    ]),
  );
  srv = env.srv;
  grid = srv.users.grid1.place;
  home = sql(srv.db, `SELECT code FROM places WHERE level = 7 AND code LIKE '${grid}%' ORDER BY code LIMIT 1`)[0].code;
});
after(async () => stopAll(env));

test('the board shows an overdue call escalate without a reload', async (t) => {
  const { context, page } = await newPage(env, { locale: 'zh-CN' });
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    const r = await srv.request('POST', '/api/v1/calls', {
      session: await srv.as('operator1'),
      body: { place: home, category: 'food', priority: 'urgent', text: '独居老人缺米', phone: '13912345678' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.unit_level, 'community');
    const id = r.json.id;
    await page.click('[data-nav=calls]');
    await page.waitForURL(/\/calls/);
    const card = `[data-call="${id}"]`;
    await page.waitForSelector(card);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    // At the community, counting down, every second.
    assert.equal(await page.getAttribute(`${card} [data-test=call-rung]`, 'data-level'), 'community');
    const first = await page.textContent(`${card} [data-test=call-countdown]`);
    assert.match(first, /^剩余 \d\d:\d\d$/);
    await page.waitForFunction(
      ([sel, before]) => document.querySelector(sel).textContent !== before,
      [`${card} [data-test=call-countdown]`, first],
      { timeout: 3000 },
    );
    // The grid worker sees the number to call back (they serve the call).
    assert.equal(await page.textContent(`${card} a.tel`), '13912345678');
    // Eighteen seconds later the sweep has it at the street: the board shows it there.
    await page.waitForSelector(`${card} [data-test=call-rung][data-level=street]`, { timeout: 45_000 });
    assert.match(await page.textContent(`${card} [data-test=call-countdown]`), /^已超时 \d\d:\d\d$/);
    const api = await srv.get('cmd103', `/api/v1/calls/${id}`);
    assert.equal(api.json.call.level.level, 'street');
    assert.equal(
      await page.textContent('[data-test=calls-overdue]'),
      String((await srv.get('grid1', `/api/v1/calls/summary?place=${grid}`)).json.overdue),
    );
    assert.equal(navigations, 0, 'no reload');
    // Fits a phone, accessible.
    assert.ok((await overflow(page)) <= 0, 'no horizontal overflow');
    assert.deepEqual(await axeSerious(page), []);
    // Acknowledged from the card: through the outbox, then the card stops counting.
    await page.click(`${card} [data-test=call-ack]`);
    await page.waitForFunction(
      (sel) => document.querySelector(sel).textContent === '已响应',
      `${card} [data-test=call-countdown]`,
    );
    const after = await srv.get('cmd103', `/api/v1/calls/${id}`);
    assert.ok(after.json.call.acked_at);
    // On a phone the figures per child fold below the calls; a tap opens them.
    const fold = '[data-test=calls-children]';
    await page.waitForSelector(fold, { state: 'attached' });
    assert.equal(await page.getAttribute(fold, 'open'), null);
    await page.click(`${fold} > summary`);
    assert.notEqual(await page.getAttribute(fold, 'open'), null);
    assert.ok(await page.isVisible(`${fold} table`));
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
