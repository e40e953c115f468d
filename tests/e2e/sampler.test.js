// The sampler's page on a phone-sized screen: a full tube scanned and sealed, then the
// network lost — more scans queued, the page reloaded from the service worker with the
// queue intact — and the network back: every scan reaches the server exactly once, even
// when the server's answer to a batch is lost on the way and the batch is sent again.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot } = require('./lib/browser.js');

let env;
let srv;
let round;
let codes; // personal codes of eight people of the district

before(async () => {
  env = await startAll();
  srv = env.srv;
  const s = await srv.as('staff103');
  const r = await srv.request('POST', '/api/v1/rounds', {
    session: s,
    body: { scope: srv.places.district, name: '采样测试', pool: 5 },
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' ORDER BY p.id LIMIT 8`,
  ).map((x) => x.id);
  codes = [];
  for (const id of ids) codes.push((await srv.get('admin', `/api/v1/people/${id}`)).json.person.code);
});
after(async () => stopAll(env));

async function scanInto(page, name, value) {
  await page.fill(`input[name=${name}]`, value);
  await page.press(`input[name=${name}]`, 'Enter');
}

const queued = (page) => page.textContent('[data-test=queue-count]').then(Number);
// The queue's count is read from IndexedDB after each scan and at start: wait for it.
const waitQueued = (page, n) =>
  page.waitForFunction((k) => document.querySelector('[data-test=queue-count]')?.textContent === String(k), n);

test('sampler: a full tube, then offline scans survive a reload and arrive exactly once', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(t, page, async () => {
    await signIn(env, page, 'sampler1');
    await page.waitForURL(/\/sampler/);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.selectOption('[data-test=round]', String(round));
    await page.selectOption('[data-test=site]', 'S1');

    // A full tube: 5 of 5, sealed by the server.
    await scanInto(page, 'tube', 'SAMP-T1');
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');
    for (const c of codes.slice(0, 5)) await scanInto(page, 'person', c);
    await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '5/5');
    await page.waitForFunction(() => document.querySelector('[data-test=queue-count]').textContent === '0');
    // Scan ids in the UUIDv7 layout: version 7, variant 10, the first 48 bits now in ms.
    const ids = sql(
      srv.db,
      "SELECT s.scan_id FROM samples s JOIN tubes t ON t.id = s.tube_id WHERE t.barcode = 'SAMP-T1'",
    );
    for (const { scan_id: id } of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      assert.ok(Math.abs(Date.now() - ms) < 600_000, `${id}: not a time-ordered id`);
    }
    const t1 = sql(srv.db, "SELECT state, n FROM tubes WHERE barcode = 'SAMP-T1'")[0];
    assert.deepEqual(t1, { state: 1, n: 5 }, 'the tube is full and sealed on the server');

    // Offline: three scans into the next tube wait on the device.
    await context.setOffline(true);
    await page.waitForSelector('[data-test=offline]');
    await page.click('[data-test=next-tube]');
    await scanInto(page, 'tube', 'SAMP-T2');
    for (const c of codes.slice(5, 8)) await scanInto(page, 'person', c);
    await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '3/5');
    await waitQueued(page, 3);

    // A reload with no network: the app shell comes from the service worker, the queue
    // and the tube from IndexedDB.
    await page.reload();
    await waitQueued(page, 3);
    await page.waitForFunction(() => document.querySelector('[data-test=fill]')?.textContent.trim() === '3/5');
    assert.equal(sql(srv.db, "SELECT count(*) AS n FROM tubes WHERE barcode = 'SAMP-T2'")[0].n, 0, 'nothing sent yet');

    // Back online, and the server's first answer to the scans is lost: the batch is
    // recorded, the device does not know it and sends it again.
    let lost = 0;
    await page.route('**/api/v1/scans', async (route) => {
      if (lost === 0) {
        lost++;
        await route.fetch();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelector('[data-test=queue-count]').textContent === '0', null, {
      timeout: 30_000,
    });
    assert.equal(lost, 1, 'one answer was lost on the way');
    const rows = sql(
      srv.db,
      'SELECT t.barcode, count(*) AS n, count(DISTINCT s.scan_id) AS ids, count(DISTINCT s.person_id) AS people ' +
        "FROM samples s JOIN tubes t ON t.id = s.tube_id WHERE t.barcode LIKE 'SAMP-T%' GROUP BY t.barcode ORDER BY t.barcode",
    );
    assert.deepEqual(rows, [
      { barcode: 'SAMP-T1', n: 5, ids: 5, people: 5 },
      { barcode: 'SAMP-T2', n: 3, ids: 3, people: 3 },
    ]);
    assert.equal(await page.locator('[data-test=refused]').count(), 0, 'nothing refused');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('sampler: a malformed code is refused on the page and nothing is queued', async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await signIn(env, page, 'sampler1');
    await page.selectOption('[data-test=round]', String(round));
    await page.selectOption('[data-test=site]', 'S1');
    await scanInto(page, 'tube', 'SAMP-T3');
    await scanInto(page, 'person', 'not-a-code');
    await page.waitForSelector('[data-test=error]');
    assert.match(await page.textContent('[data-test=error]'), /26/);
    assert.equal(await queued(page), 0);
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');
  });
  await context.close();
});
