// The transmission chain in the browser: from the cases page (its figures the server's, a
// card per case), the chain of a case whose household is listed as contacts opens as an
// ECharts graph; a tap on a person in the graph opens their file (/people/ID/file). At a
// desk and on a phone.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow } = require('./lib/browser.js');

let env;
let srv;
let caseId;
let people; // ids of the chain's people

before(async () => {
  env = await startAll();
  srv = env.srv;
  const [a] = sql(
    srv.db,
    'SELECT p.id, p.household_id AS hh FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND (SELECT count(*) FROM people q ` +
      'WHERE q.household_id = p.household_id) >= 3 ORDER BY p.id LIMIT 1',
  );
  const session = await srv.as('staff103');
  let r = await srv.request('POST', '/api/v1/cases', {
    session,
    body: { person: a.id, kind: 'confirmed', confirmed_at: new Date().toISOString() },
  });
  assert.equal(r.status, 201, r.text);
  caseId = r.json.id;
  r = await srv.request('POST', `/api/v1/cases/${caseId}/contacts`, {
    session,
    body: { household: true, last_exposure: new Date(Date.now() - 86400_000).toISOString() },
  });
  assert.ok(r.json.added >= 2, r.text);
  people = [a.id, ...r.json.results.map((x) => x.person)];
});
after(async () => stopAll(env));

// Finds a point of the graph where the pointer turns into a hand (a person's node):
// synthetic moves over the chart's box, in the page, then the point in page pixels.
async function nodePoint(page) {
  return page.$eval('[data-test=graph]', (el) => {
    const box = el.getBoundingClientRect();
    const zr = el.firstElementChild;
    for (let y = box.top + 4; y < box.bottom - 4; y += 6) {
      for (let x = box.left + 4; x < box.right - 4; x += 6) {
        zr.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
        if (zr.style.cursor === 'pointer') return { x, y };
      }
    }
    return null;
  });
}

for (const [width, height] of [
  [1440, 900],
  [360, 740],
]) {
  test(`the chain graph opens a person's file (${width}×${height})`, async (t) => {
    const { context, page } = await newPage(env, { locale: 'zh-CN' });
    await page.setViewportSize({ width, height });
    await shot(t, page, async () => {
      await signIn(env, page, 'staff103');
      await page.goto('/cases');
      await page.waitForSelector(`[data-case="${caseId}"]`);
      assert.equal(await overflow(page), 0, 'the cases page fits');
      // The big figures are the server's: the district's cases and the days since the last.
      const epi = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}`);
      const digits = (s) => Number(String(s).replace(/\D/g, ''));
      assert.equal(digits(await page.textContent('[data-test=tile-cumulative] b')), epi.json.cumulative);
      assert.equal(digits(await page.textContent('[data-test=tile-since] b')), epi.json.days_since_last_case);
      await page.click(`[data-case="${caseId}"] [data-test=chain-link]`);
      await page.waitForURL(new RegExp(`/chains/${caseId}$`));
      await page.waitForSelector('.chain[data-drawn=yes]');
      assert.equal(await page.locator('tr[data-person]').count(), people.length);
      const p = await nodePoint(page);
      assert.ok(p, 'a node of the graph takes a tap');
      await page.mouse.click(p.x, p.y);
      await page.waitForURL(/\/people\/\d+\/file$/);
      const id = Number(/\/people\/(\d+)\/file$/.exec(page.url())[1]);
      assert.ok(people.includes(id), `the file of a person of the chain (${id})`);
    });
    await context.close();
  });
}
