// Risk zones in the browser (issue 13 §5, §7): on a phone a commander draws a sealed
// high zone on a building through the place tree (never a code typed), sees it listed
// with its level, its residents sealed and the proposal's three conditions; at a desk
// in English the officer confirms the proposed downgrade, and the zone is lowered with
// its record kept. No horizontal overflow, no serious axe-core violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let building; // {id, code, path: [street, community, grid, compound codes], people}

before(async () => {
  env = await startAll();
  srv = env.srv;
  const b = sql(
    srv.db,
    "SELECT b.id, b.code, b.n_people AS people, c.code AS compound, g.code AS grid, m.code AS community, s.code AS street FROM places b JOIN places c ON c.id = b.parent_id JOIN places g ON g.id = c.parent_id JOIN places m ON m.id = g.parent_id JOIN places s ON s.id = m.parent_id WHERE b.level = 6 AND b.code LIKE '440103%' ORDER BY b.n_people DESC, b.code LIMIT 1",
  )[0];
  building = { ...b, path: [b.street, b.community, b.grid, b.compound] };
  assert.ok(building.people >= 2, 'a building with people');
});
after(async () => stopAll(env));

const zonesOf = async (place, all = false) =>
  (await srv.get('cmd103', `/api/v1/zones?place=${place}${all ? '&all=1' : ''}`)).json.zones;

test('on a phone: a sealed high zone drawn on a building through the place tree', async (t) => {
  const { context, page } = await newPage(env, { locale: 'zh-CN' });
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'cmd103');
    await page.click('[data-nav=zones]');
    await page.waitForURL(/\/zones/);
    await page.waitForSelector('[data-test=none]');
    const form = page.locator('[data-test=draw]');
    await form.locator('[data-test=place-open]').click();
    for (const code of [...building.path, building.code]) {
      await form.locator(`[data-test=place-child][data-code="${code}"]`).click();
    }
    await form.locator('[data-test=place-choose]').click();
    await form.locator('[data-test=draw-level]').selectOption('high');
    assert.equal(await form.locator('[data-test=draw-measures]').inputValue(), 'sealed', 'high brings sealed');
    await form.locator('[data-test=draw-reason]').fill('本土病例所在楼栋');
    await form.locator('[data-test=draw-submit]').click();
    await page.waitForSelector('[data-test=done]');
    const row = page.locator('[data-zone]');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.locator('[data-test=level]').textContent(), /高风险/);
    assert.equal(await row.locator('[data-cond]').count(), 3);
    assert.match(await row.locator('[data-test=statuses]').textContent(), new RegExp(`封控\\s*${building.people}`));
    // What the server holds: the zone, and every resident sealed under it.
    const [z] = await zonesOf(srv.places.district);
    assert.equal(z.place, building.code);
    assert.equal(z.measures, 'sealed');
    assert.equal(z.statuses.sealed, building.people);
    assert.ok((await overflow(page)) <= 0, 'no horizontal overflow at 360 px');
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('at a desk in English: the officer confirms the proposed downgrade', async (t) => {
  const [before] = await zonesOf(srv.places.district);
  assert.equal(before.proposal.action, 'downgrade');
  const { context, page } = await newPage(env, { locale: 'en-GB' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(t, page, async () => {
    await signIn(env, page, 'cmd103');
    await page.goto(`/zones?place=${srv.places.district}`);
    const row = page.locator(`[data-zone="${before.id}"]`);
    await row.waitFor();
    assert.match(await row.locator('[data-test=proposal]').textContent(), /down to Medium risk/);
    assert.match(await row.locator('[data-cond=tested_negative]').textContent(), /✗/);
    assert.deepEqual(await axeSerious(page), []);
    page.once('dialog', (d) => d.accept());
    await row.locator('[data-test=confirm]').click();
    await page.waitForSelector('[data-test=done]');
    const [after] = await zonesOf(srv.places.district);
    assert.equal(after.level, 'medium');
    assert.equal(after.prev, before.id);
    await page.locator(`[data-zone="${after.id}"]`).waitFor();
    assert.match(await page.locator(`[data-zone="${after.id}"] [data-test=level]`).textContent(), /Medium risk/);
    const history = await zonesOf(srv.places.district, true);
    assert.deepEqual(
      history.map((z) => [z.id, !!z.lifted_at]),
      [
        [before.id, true],
        [after.id, false],
      ],
    );
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
