// The forces and ledger pages in the browser (issue 14, items 3, 4 and 7): a commander
// sees the organisations of the district as cards, opens one and reads its members (a
// resident of another district masked), forms a compound and reads the report the
// server gave; the ledger shows the person-times of a squad's shifts per day as bars and
// rows (the figures the API answers) and who is on duty now — at 360×740 and 1440×900,
// in Chinese and English, without overflow or serious axe violations.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let team;
let compounds;

async function post(who, url, body) {
  return srv.request('POST', url, { session: await srv.as(who), body });
}

before(async () => {
  env = await startAll();
  srv = env.srv;
  const { district, street, other } = srv.places;
  let r = await post('citycmd', '/api/v1/orgs', { kind: 'shock_team', name: '荔湾突击队', place: street });
  assert.equal(r.status, 201, r.text);
  team = r.json.id;
  const near = sql(
    srv.db,
    `SELECT p.id FROM people p JOIN places h ON h.id = p.household_id WHERE h.code LIKE '${district}%' ` +
      'ORDER BY p.id LIMIT 3',
  ).map((x) => x.id);
  const far = sql(
    srv.db,
    `SELECT p.id FROM people p JOIN places h ON h.id = p.household_id WHERE h.code LIKE '${other}%' ` +
      'ORDER BY p.id LIMIT 1',
  ).map((x) => x.id);
  r = await post('citycmd', `/api/v1/orgs/${team}/members`, {
    members: [...near, ...far].map((id) => ({ person: id, role: 'member', party: true })),
  });
  assert.equal(r.json.added, 4, r.text);
  const now = Date.now();
  r = await post('citycmd', '/api/v1/deployments', {
    org: team,
    place: street,
    from: new Date(now - 3600_000).toISOString(),
    to: new Date(now + 3600_000).toISOString(),
    duty: 'patrol',
  });
  assert.equal(r.status, 201, r.text);
  // Four compounds of the district with people: one formed per test run below.
  compounds = sql(
    srv.db,
    `SELECT code FROM places WHERE level = 5 AND code LIKE '${district}%' AND n_people > 0 ORDER BY code LIMIT 4`,
  ).map((x) => x.code);
  assert.equal(compounds.length, 4);
});
after(async () => stopAll(env));

const SIZES = [
  { width: 360, height: 740 },
  { width: 1440, height: 900 },
];
const LANGS = [
  { locale: 'zh-CN', form: '组建', groups: '临时党小组', twice: '这个小区已经组建过' },
  { locale: 'en-GB', form: 'Form', groups: 'Temporary groups', twice: 'This compound was formed before' },
];

let run = 0;
for (const lang of LANGS) {
  for (const size of SIZES) {
    test(`forces and ledger at ${size.width}×${size.height} in ${lang.locale}`, async (t) => {
      const compound = compounds[run++];
      const { context, page } = await newPage(env, { locale: lang.locale });
      await page.setViewportSize(size);
      try {
        await shot(t, page, async () => {
          await signIn(env, page, 'cmd103');
          await page.goto('/forces');
          await page.waitForSelector(`[data-org="${team}"]`);
          await page.click(`[data-org="${team}"] [data-test=show]`);
          await page.waitForSelector('[data-test=members] tbody tr');
          const names = await page.$$eval('[data-test=members] tbody tr .title', (els) =>
            els.map((e) => e.textContent.trim()),
          );
          assert.equal(names.length, 4);
          assert.equal(names.filter((n) => n.includes('*')).length, 1, `one masked name: ${names}`);
          assert.equal(await overflow(page), 0, 'forces overflows sideways');
          assert.deepEqual(await axeSerious(page), []);

          // Forming a compound: the page shows the server's report.
          await page.goto(`/forces?place=${compound}`);
          await page.waitForSelector('[data-test=form-button]');
          assert.equal((await page.textContent('[data-test=form-button]')).trim(), lang.form);
          const wait = page.waitForResponse((res) => res.url().endsWith('/api/v1/forces/form'));
          await page.click('[data-test=form-button]');
          const answer = await (await wait).json();
          await page.waitForSelector('[data-test=report]');
          assert.ok((await page.textContent('[data-test=report]')).includes(lang.groups));
          assert.equal((await page.textContent('[data-test=groups]')).trim(), String(answer.groups));
          assert.equal((await page.textContent('[data-test=volunteers]')).trim(), String(answer.volunteers));
          // Twice: refused in the page's language (never the server's "CODE was formed before").
          await page.click('[data-test=form-button]');
          await page.waitForSelector('[data-test=form-error]');
          assert.equal((await page.textContent('[data-test=form-error]')).trim(), lang.twice);
          assert.equal(await overflow(page), 0, 'forming overflows sideways');
          assert.deepEqual(await axeSerious(page), []);

          // The ledger: the API's total, the rows, a chart, who is on duty now.
          await page.goto('/ledger');
          await page.waitForSelector('[data-test=rows]');
          const api = await srv.get('cmd103', `/api/v1/ledger?place=${srv.places.district}`);
          const total = (await page.textContent('[data-test=total]')).replace(/[,\s]/g, '');
          assert.ok(total.includes(String(api.json.total_person_times)), total);
          const times = await page.$$eval('[data-test=rows] [data-test=times]', (els) =>
            els.map((e) => Number(e.textContent.replace(/\D/g, ''))),
          );
          assert.deepEqual(
            times,
            api.json.rows.map((r) => r.person_times),
          );
          await page.waitForSelector('[data-test=chart] canvas');
          await page.waitForSelector('[data-test=now] tbody tr');
          assert.equal(await overflow(page), 0, 'ledger overflows sideways');
          assert.deepEqual(await axeSerious(page), []);
          assert.deepEqual(page.errors, []);
        });
      } finally {
        await context.close();
      }
    });
  }
}
