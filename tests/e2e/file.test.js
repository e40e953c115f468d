// One file and one plan per key person on a phone (issue 13 §3, §7): the grid worker
// opens the key persons from the nav, sees a close contact with their plan progress and
// colour, opens the file — the plan's phases as a timeline, its tests, the red code and
// its reason — records a check-in with a fever, and sees it in the file (a temperature
// out of range is held back by the form); in both
// languages, at 360×740 with no horizontal overflow and no serious axe-core violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious, between } = require('./lib/browser.js');

let env;
let person;

before(async () => {
  env = await startAll();
  const srv = env.srv;
  person = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.grid}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  // A close contact exposed now, as the contacts' write leaves the status; the server's
  // sweep makes the plan and the colour.
  const now = Math.floor(Date.now() / 1000);
  await between(env, () =>
    sql(
      srv.db,
      'INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, source) ' +
        `VALUES (${person}, 'close', ${now}, ${now}, 'contact')`,
    ),
  );
  for (let i = 0; i < 100; i++) {
    const f = await env.srv.get('grid1', `/api/v1/people/${person}/file`);
    if (f.json && f.json.plans.length && f.json.colour.status === 'red') break;
    await new Promise((res) => setTimeout(res, 100));
  }
});
after(async () => stopAll(env));

for (const locale of ['zh-CN', 'en-GB']) {
  test(`key persons → file → check-in on a phone in ${locale}`, async (t) => {
    const { context, page } = await newPage(env, { locale });
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      await shot(t, page, async () => {
        await signIn(env, page, 'grid1');
        await page.goto('/keypersons');
        const row = page.locator(`[data-test=keyperson]:has(a[href="/people/${person}/file"])`);
        await row.waitFor();
        assert.equal((await row.locator('[data-test=progress]').innerText()).trim(), '0/6');
        assert.equal(await overflow(page), 0, 'the list fits');
        await row.locator('[data-test=open]').click();
        await page.waitForURL(new RegExp(`/people/${person}/file$`));
        await page.waitForSelector('[data-test=plan]');
        assert.equal(await page.locator('[data-test=phase]').count(), 2, 'quarantine, then monitoring');
        assert.equal(await page.locator('[data-test=test]').count(), 6);
        assert.match(await page.locator('[data-test=colour]').getAttribute('class'), /\bred\b/);
        assert.equal(await page.locator('[data-test=reasons] li').count(), 1);
        assert.equal(await overflow(page), 0, 'the file fits');
        assert.deepEqual(await axeSerious(page), []);
        const before = sql(env.srv.db, `SELECT count(*) AS n FROM checkins WHERE person_id = ${person}`)[0].n;
        await page.fill('[data-test=temperature]', '38.2');
        await page.click('[data-test=send]');
        await page.waitForSelector('[data-test=checkin-done]');
        await page.waitForSelector('[data-test=checkins] tr.fever');
        const after = sql(
          env.srv.db,
          `SELECT count(*) AS n, max(fever) AS f FROM checkins WHERE person_id = ${person}`,
        )[0];
        assert.equal(after.n, before + 1);
        assert.equal(after.f, 1);
        // A temperature out of range is held back by the form itself: nothing is sent.
        await page.fill('[data-test=temperature]', '30');
        await page.click('[data-test=send]');
        assert.equal(await page.$eval('[data-test=temperature]', (el) => el.validity.rangeUnderflow), true);
        const still = sql(env.srv.db, `SELECT count(*) AS n FROM checkins WHERE person_id = ${person}`)[0].n;
        assert.equal(still, before + 1);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await context.close();
    }
  });
}
