// The door-to-door roll-call on a phone and at a desk, in both languages (issue 12, item
// 1): one tap from a grid worker's landing page; the grid's count on top and the list in
// the first screen; building and household names as headings, grouped by building in the
// server's walking order; no horizontal overflow; no serious axe-core violation. An
// exemption recorded offline is shown as queued (the count unchanged), survives a reload,
// is sent once back online, and the person leaves the list; a refusal is shown in the
// page's language and counts nothing.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let round;
let grid;

before(async () => {
  env = await startAll();
  srv = env.srv;
  grid = srv.users.grid1.place;
  const r = await srv.request('POST', '/api/v1/rounds', {
    session: await srv.as('staff103'),
    body: { scope: srv.places.district, name: '点名测试', pool: 10 },
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
});
after(async () => stopAll(env));

async function missing() {
  const r = await srv.get('grid1', `/api/v1/rounds/${round}/missing?place=${grid}&limit=1000`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

const digits = (s) => Number(String(s).replace(/\D/g, ''));

// Opens the roll-call the way a grid worker does: sign in, one tap on the nav.
async function open(page) {
  await signIn(env, page, 'grid1');
  await page.click('[data-nav=rollcall]');
  await page.waitForURL(/\/rollcall/);
  await page.waitForSelector('[data-test=rc-missing]');
  await page.waitForSelector('[data-person]');
}

for (const [width, height] of [
  [360, 740],
  [390, 844],
  [1440, 900],
]) {
  for (const locale of ['zh-CN', 'en-GB']) {
    test(`roll-call at ${width}×${height} in ${locale}: names, grouping, count on top, fits, accessible`, async (t) => {
      const { context, page } = await newPage(env, { locale });
      await page.setViewportSize({ width, height });
      await shot(t, page, async () => {
        await open(page);
        const api = await missing();
        assert.ok(api.missing.length >= 2, 'the grid has people missing');
        assert.equal(digits(await page.textContent('[data-test=rc-missing]')), api.counts.missing);
        // Grouped by building, in the server's order, with the names as headings.
        const buildings = [...new Set(api.missing.map((m) => m.building))];
        const shown = await page.$$eval('[data-building]', (els) =>
          els.map((el) => ({
            code: el.dataset.building,
            heading: el.querySelector('h2').textContent,
            households: [...el.querySelectorAll('[data-household]')].map((h) => ({
              code: h.dataset.household,
              heading: h.querySelector('h3').textContent.trim(),
              people: [...h.querySelectorAll('[data-person]')].map((p) => Number(p.dataset.person)),
            })),
          })),
        );
        assert.deepEqual(
          shown.map((b) => b.code),
          buildings,
          'one section per building, in walking order',
        );
        for (const b of shown) {
          const of = api.missing.filter((m) => m.building === b.code);
          assert.ok(b.heading.includes(of[0].building_name), `${b.heading} names ${of[0].building_name}`);
          assert.ok(b.heading.includes(of[0].compound_name));
          for (const h of b.households) {
            const people = of.filter((m) => m.household === h.code);
            assert.equal(h.heading, people[0].household_name);
            assert.deepEqual(
              h.people,
              people.map((m) => m.person_id),
            );
          }
        }
        // Names, not codes: no place code of 12 digits or more on the page.
        const text = await page.innerText('main');
        assert.doesNotMatch(text, /\d{12,}/, 'a place code on the page');
        for (const m of api.missing) assert.ok(text.includes(m.name), `${m.name} shown`);
        // Phones: masked on the page, a tel: link to call (the grid worker's).
        const first = api.missing.find((m) => m.phone);
        if (first) {
          const card = page.locator(`[data-person="${first.person_id}"]`);
          assert.ok((await card.innerText()).includes(first.phone_masked));
          assert.equal(await card.locator('[data-test=rc-call]').getAttribute('href'), `tel:${first.phone}`);
        }
        // The count on top and the list starting in the first screen.
        const head = await page.locator('[data-test=rc-missing]').boundingBox();
        const person = await page.locator('[data-person]').first().boundingBox();
        assert.ok(head.y + head.height <= height, `the count is in the first screen (${head.y})`);
        assert.ok(person.y < height - 40, `the list starts in the first screen (${person.y})`);
        assert.equal(await overflow(page), 0, 'no horizontal overflow');
        // The actions of a person open without overflow either.
        await page.locator('[data-test=rc-record]').first().click();
        await page.waitForSelector('[data-reason=away]');
        assert.equal(await overflow(page), 0, 'no horizontal overflow with a person open');
        assert.deepEqual(await axeSerious(page), []);
        assert.doesNotMatch(await page.innerText('body'), /\brc\.[a-zA-Z]+/, 'an untranslated key');
        assert.deepEqual(await page.evaluate(() => window.__musterMissing || []), [], 'keys without a translation');
        assert.deepEqual(page.errors, []);
      });
      await context.close();
    });
  }
}

test('an exemption recorded offline is queued, survives a reload, syncs once online; the person leaves the list', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(t, page, async () => {
    await open(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const before = await missing();
    const who = before.missing[0];
    const exempt = () =>
      sql(srv.db, `SELECT count(*) AS n FROM exemptions WHERE person_id = ${who.person_id} AND round_id = ${round}`)[0]
        .n;

    await context.setOffline(true);
    await page.waitForSelector('[data-test=offline]');
    const card = page.locator(`[data-person="${who.person_id}"]`);
    await card.locator('[data-test=rc-record]').click();
    await card.locator('[data-reason=away]').click();
    await card.locator('[data-test=rc-queued]').waitFor();
    assert.match(await card.locator('[data-test=rc-queued]').innerText(), /外出/);
    // Queued is not done: the count and the list stand until the server accepts it.
    assert.equal(digits(await page.textContent('[data-test=rc-missing]')), before.counts.missing);
    assert.equal(await card.count(), 1);
    assert.equal(exempt(), 0, 'nothing sent while offline');

    // A reload with no network: the shell from the service worker, the action from
    // IndexedDB.
    await page.reload();
    await page.waitForSelector('[data-test=rc-queue-count]');
    assert.match(await page.textContent('[data-test=rc-queue-count]'), /1/);
    assert.equal(exempt(), 0);

    await context.setOffline(false);
    await page.waitForFunction(
      (id) => !document.querySelector(`[data-person="${id}"]`) && document.querySelector('[data-person]'),
      who.person_id,
      {
        timeout: 30_000,
      },
    );
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-test=rc-missing]')?.textContent.replace(/\D/g, '')) === n,
      before.counts.missing - 1,
    );
    assert.equal(exempt(), 1, 'recorded once');
    assert.equal(await page.locator('[data-test=rc-queued]').count(), 0);
    assert.equal(await page.locator('[data-test=rc-outbox]').count(), 0, 'nothing waits, nothing refused');
    const after = await missing();
    assert.equal(after.counts.exempted, before.counts.exempted + 1);
    assert.ok(!after.missing.some((m) => m.person_id === who.person_id));
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('a note is sent once; a refused exemption is shown in the page language and counts nothing', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await open(page);
    const before = await missing();
    const who = before.missing[0];
    const card = page.locator(`[data-person="${who.person_id}"]`);
    await card.locator('[data-test=rc-record]').click();
    await card.locator('textarea').fill('敲门无人，晚上再来');
    await card.locator('[data-test=rc-save-note]').click();
    // Shown on the person's card once the server has it (the outbox may not have shown
    // yet when the click returns: wait for the answer, not for an empty outbox).
    await card.locator('[data-test=rc-note]').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-test=rc-outbox]'));
    const notes = sql(srv.db, `SELECT round_id FROM rollcall_notes WHERE person_id = ${who.person_id}`);
    assert.equal(notes.length, 1, 'one note recorded');
    assert.equal(notes[0].round_id, round);
    assert.match(await card.locator('[data-test=rc-note]').innerText(), /敲门无人，晚上再来/);

    // The server refuses the next exemption (as it would a reason it does not know).
    await page.route('**/api/v1/exemptions', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'invalid', message: 'reason is away, hospitalised, deceased or moved', field: 'reason' },
        }),
      }),
    );
    await card.locator('[data-test=rc-record]').click();
    await card.locator('[data-reason=moved]').click();
    await card.locator('[data-test=rc-refusal]').waitFor();
    const said = await card.locator('[data-test=rc-refusal]').innerText();
    assert.match(said, /内容无效/);
    assert.doesNotMatch(said, /reason is/, 'not the server English');
    assert.equal(digits(await page.textContent('[data-test=rc-missing]')), before.counts.missing);
    assert.equal(await card.count(), 1, 'the person is still listed');
    assert.equal(await overflow(page), 0);
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
