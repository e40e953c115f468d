// A three-person group's day on a phone (issue 13, item 4): the grid worker lands on the
// grid's tasks, grouped by building then household; offline, two tasks marked done are
// shown as queued (not done) and nothing reaches the server; back online they are sent
// once, shown as done, and the server holds their marks. At the community the missed
// tasks that climbed to it are listed. Both fit 360 px with no serious axe violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql, musterOk } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious, between } = require('./lib/browser.js');

let env;
let srv;
let round;
let grid;
let community;

before(async () => {
  env = await startAll();
  srv = env.srv;
  grid = srv.users.grid1.place;
  community = sql(srv.db, `SELECT p.code FROM places g JOIN places p ON p.id = g.parent_id WHERE g.code = '${grid}'`)[0]
    .code;
  // A round begun yesterday: today's roll-call to do, yesterday's missed and climbed.
  const r = await srv.request('POST', '/api/v1/rounds', {
    session: await srv.as('staff103'),
    body: {
      scope: srv.places.district,
      name: '小组任务',
      pool: 10,
      starts: new Date(Date.now() - 30 * 3600 * 1000).toISOString(),
    },
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  srv = await between(env, () => {
    musterOk([
      'group',
      'add',
      '--grid',
      grid,
      '--medic',
      'grid1',
      '--cadre',
      'staff103',
      '--police',
      'cmd103',
      '--db',
      env.srv.db,
    ]);
  });
});
after(async () => stopAll(env));

const marks = (ids) =>
  sql(
    srv.db,
    `SELECT task FROM task_marks WHERE state = 'done' AND task IN (${ids.map((x) => `'${x}'`).join(',')})`,
  ).map((x) => x.task);

test('offline on a phone: two tasks marked done are queued, then done once online', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    // The grid worker's landing page.
    await page.waitForURL(/\/tasks/);
    await page.waitForSelector('[data-task]');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    assert.equal(await overflow(page), 0, 'no horizontal overflow');
    assert.deepEqual(await axeSerious(page), []);
    // Grouped by building: each building's tasks come together.
    const buildings = await page.locator('[data-building]').evaluateAll((els) => els.map((e) => e.dataset.building));
    assert.equal(new Set(buildings).size, buildings.length);

    const cards = page.locator('[data-task]:has([data-test=tk-done])');
    const ids = [await cards.nth(0).getAttribute('data-task'), await cards.nth(1).getAttribute('data-task')];
    assert.ok(
      ids.every((x) => x.startsWith(`rollcall:${round}:`)),
      ids.join(),
    );

    await context.setOffline(true);
    await page.waitForSelector('[data-test=offline]');
    for (const id of ids) {
      await page.locator(`[data-task="${id}"] [data-test=tk-done]`).click();
      await page.locator(`[data-task="${id}"][data-state=queued]`).waitFor();
    }
    assert.match(await page.textContent('[data-test=tk-queue-count]'), /2/);
    assert.deepEqual(marks(ids), [], 'nothing reaches the server offline');
    assert.equal(await overflow(page), 0, 'no horizontal overflow with the outbox shown');

    await context.setOffline(false);
    for (const id of ids) await page.locator(`[data-task="${id}"][data-state=done]`).waitFor({ timeout: 30_000 });
    assert.deepEqual(marks(ids).sort(), [...ids].sort(), 'the server holds both marks');
    assert.equal(await page.locator('[data-test=tk-outbox]').count(), 0, 'nothing waits, nothing refused');
    const api = await srv.get('grid1', `/api/v1/tasks?place=${grid}&limit=1000`);
    for (const id of ids) assert.equal(api.json.tasks.find((x) => x.id === id).state, 'done');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test("at the community: yesterday's missed roll-call, climbed to it, in English", async (t) => {
  const { context, page } = await newPage(env, { locale: 'en-GB' });
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'cmd103');
    await page.goto(`/tasks?place=${community}`);
    await page.waitForSelector('[data-task]');
    const api = await srv.get('cmd103', `/api/v1/tasks/overdue?place=${community}&limit=1000`);
    assert.equal(await page.locator('[data-task]').count(), api.json.tasks.length);
    assert.ok(api.json.tasks.length > 0);
    assert.match(await page.innerText('body'), /reached the (Community|Street)/);
    assert.equal(await overflow(page), 0);
    assert.deepEqual(await axeSerious(page), []);
    assert.doesNotMatch(await page.innerText('body'), /\btasks\.[a-zA-Z]+/, 'an untranslated key');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
