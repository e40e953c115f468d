// The audit log page (issue 12 item 10): actions as phrases in both languages, times with
// the year and seconds on one line, a resident's every exposure found by their id (list
// reads included), a time range, and entries that fit a 360 px phone as cards.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startAll, stopAll, newPage, signIn, shot, overflow } = require('./lib/browser.js');

let env;
let srv;
let person; // a resident of 440103 that operator1 listed and then opened

before(async () => {
  env = await startAll();
  srv = env.srv;
  const list = await srv.get('operator1', `/api/v1/people?place=${srv.places.district}&limit=5`);
  assert.equal(list.status, 200, list.text);
  person = list.json.people[2].id;
  assert.equal((await srv.get('operator1', `/api/v1/people/${person}`)).status, 200);
  // The writer commits the reads' entries shortly after: wait for the person read.
  for (let i = 0; i < 50; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${person}`);
    if (a.json.entries.length >= 2) break;
    await new Promise((res) => setTimeout(res, 100));
  }
});
after(async () => stopAll(env));

// The city's wall clock (UTC+8) of date d as a datetime-local value with seconds.
const cityLocal = (d) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19);

async function openAudit(locale, width) {
  const { context, page } = await newPage(env, { locale });
  await page.setViewportSize({ width, height: width < 600 ? 740 : 900 });
  await signIn(env, page, 'auditor1');
  await page.goto('/audit');
  await page.waitForSelector('[data-test=entries] tbody tr');
  return { context, page };
}

const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

test('phrases, not API paths, in zh and en; times with year and seconds on one line', async (t) => {
  for (const [locale, signInText, readText] of [
    ['zh-CN', '登录', '查看居民档案'],
    ['en', 'Signed in', "Opened a resident's record"],
  ]) {
    const { context, page } = await openAudit(locale, 1440);
    await shot(t, page, async () => {
      const actions = await texts(page, '[data-test=action] .phrase');
      assert.ok(actions.includes(signInText), actions.join('|'));
      assert.ok(
        actions.every((a) => !a.startsWith('/') && !/^(GET|POST|DELETE) \//.test(a)),
        `a raw path as the phrase: ${actions.join('|')}`,
      );
      // The raw action stays under its phrase, for the record.
      assert.ok((await texts(page, '[data-test=action] .raw')).includes('POST /api/v1/session'));
      const times = await texts(page, '[data-test=at]');
      const y = String(new Date().getUTCFullYear());
      for (const s of times) {
        assert.ok(s.includes(y), `no year in ${s}`);
        assert.match(s, /\d{2}:\d{2}:\d{2}/, `no seconds in ${s}`);
      }
      // One line: the time is a single line box.
      const lines = await page.$$eval('[data-test=at] time', (ts) => ts.map((x) => x.getClientRects().length));
      assert.ok(lines.length && lines.every((n) => n === 1), `lines per time: ${lines}`);
      assert.ok(actions.includes(readText), `the resident's read: ${actions.join('|')}`);
      assert.deepEqual(page.errors, []);
    });
    await context.close();
  }
});

test("a resident's id finds every read of them, the list read included", async (t) => {
  const { context, page } = await openAudit('zh-CN', 360);
  const asked = [];
  page.on('request', (q) => {
    if (q.url().includes('/api/v1/audit')) asked.push(new URL(q.url()).searchParams);
  });
  await shot(t, page, async () => {
    await page.fill('[data-test=f-person]', String(person));
    await page.click('[data-test=f-apply]');
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('[data-test=record]')].every((td) => td.textContent.trim() === n),
      `person:${person}`,
    );
    assert.equal(asked.at(-1).get('record'), `person:${person}`);
    const actions = await texts(page, '[data-test=action] .phrase');
    assert.ok(actions.includes('查询居民列表'), `the list read: ${actions.join('|')}`);
    assert.ok(actions.includes('查看居民档案'), `the record read: ${actions.join('|')}`);
    assert.equal(await overflow(page), 0, 'fits 360 px');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('a time range: since and until go to the server as instants of the city time', async (t) => {
  const { context, page } = await openAudit('en', 360);
  const asked = [];
  page.on('request', (q) => {
    if (q.url().includes('/api/v1/audit')) asked.push(new URL(q.url()).searchParams);
  });
  await shot(t, page, async () => {
    // On a phone the time range is folded away until asked for.
    assert.equal(await page.isVisible('[data-test=f-from]'), false);
    await page.click('.more-filters summary');
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    // From a minute ahead: nothing yet.
    await page.fill('[data-test=f-from]', cityLocal(new Date(now.getTime() + 60_000)));
    await page.click('[data-test=f-apply]');
    await page.waitForSelector('[data-test=none]');
    assert.equal(asked.at(-1).get('since'), new Date(now.getTime() + 60_000).toISOString().replace('.000', ''));
    // The hour up to now: the fixture's entries again, all inside the range.
    await page.fill('[data-test=f-from]', cityLocal(new Date(now.getTime() - 3600_000)));
    await page.fill('[data-test=f-to]', cityLocal(new Date(now.getTime() + 1000)));
    await page.click('[data-test=f-apply]');
    await page.waitForSelector('[data-test=entries] tbody tr');
    const q = asked.at(-1);
    assert.equal(q.get('until'), new Date(now.getTime() + 1000).toISOString().replace('.000', ''));
    const r = await srv.get('auditor1', `/api/v1/audit?since=${q.get('since')}&until=${q.get('until')}`);
    assert.equal(await page.locator('[data-test=entries] tbody tr').count(), r.json.entries.length);
    assert.equal(await overflow(page), 0, 'fits 360 px');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
