// Issue 13 §6: the health code's missed-round yellow. A round over a grid closes; a
// zone is then drawn on the building from before the round's end: the resident who was
// not sampled in the round turns yellow with the reason missed_round_test, the one
// sampled stays green; lifting the zone turns the yellow green again.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk } = require('./lib/server.js');

let srv;
let round;
let siteToken;
let building;
const P = {}; // sampled, missed → {id, code}
const now = () => Math.floor(Date.now() / 1000);

async function post(who, url, body) {
  return srv.request('POST', url, { session: await srv.as(who), body });
}

// The codebook's colour follows a write within a second or two (control's timer).
async function until(what, fn) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`never: ${what}`);
}

async function code(name) {
  const r = await srv.get('grid1', `/api/v1/codes/${P[name].code}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  srv = await start();
  const b = sql(
    srv.db,
    `SELECT id, code FROM places WHERE level = 6 AND code LIKE '${srv.places.grid}%' AND n_people >= 2 ` +
      'ORDER BY code LIMIT 1',
  );
  assert.equal(b.length, 1, 'the grid has a building of two people or more');
  building = b[0].code;
  const rows = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.parent_id = ${b[0].id} ORDER BY p.id LIMIT 2`,
  );
  for (const [i, name] of ['sampled', 'missed'].entries()) {
    const p = await srv.get('admin', `/api/v1/people/${rows[i].id}`);
    P[name] = { id: rows[i].id, code: p.json.person.code };
  }
  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.grid, name: '网格筛查', pool: 10 });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  r = await post('staff103', '/api/v1/sites', { code: 'SY', place: srv.places.grid, name: '黄码采样点', desks: 1 });
  assert.equal(r.status, 201, r.text);
  srv = await restart(srv, [], () => {
    siteToken = musterOk(['token', 'issue', '--site', 'SY', '--db', srv.db])
      .stdout.split('\n')
      .map((s) => s.trim())
      .find((s) => /^[a-z2-7]{52}$/.test(s));
  });
  assert.ok(siteToken);
});
after(async () => finish(srv));

test('a zone over a closed round: the unsampled resident is yellow, the sampled one green', async () => {
  const drawnFrom = new Date((now() - 3600) * 1000).toISOString();
  let r = await srv.request('POST', '/api/v1/scans', {
    token: siteToken,
    body: {
      scans: [
        {
          scan_id: crypto.randomUUID(),
          round,
          site: 'SY',
          tube: 'YR-1',
          person: P.sampled.code,
          at: new Date().toISOString(),
        },
      ],
    },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.results[0].status, 'ok', r.text);
  assert.equal((await post('staff103', `/api/v1/rounds/${round}/close`, {})).status, 200);
  // Before any zone, missing a round changes nothing.
  assert.equal((await code('missed')).status, 'green');

  r = await post('cmd103', '/api/v1/zones', {
    place: building,
    level: 'medium',
    from: drawnFrom,
    reason: '聚集性疫情',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.zone.measures, 'controlled', 'nobody is sealed: the yellow is the round’s alone');
  const zone = r.json.id;

  const c = await until('the unsampled resident turns yellow', async () => {
    const x = await code('missed');
    return x.status === 'yellow' ? x : null;
  });
  assert.deepEqual(
    c.reasons.map((x) => x.code),
    ['missed_round_test'],
  );
  assert.ok(c.reasons[0].text);
  const s = await code('sampled');
  assert.equal(s.status, 'green');
  assert.deepEqual(s.reasons, []);
  assert.deepEqual(sql(srv.db, `SELECT colour, reasons FROM code_colours WHERE person_id = ${P.missed.id}`), [
    { colour: 1, reasons: 'missed_round_test' },
  ]);

  // Lifting the zone ends it.
  r = await post('cmd103', `/api/v1/zones/${zone}/lift`, {});
  assert.equal(r.status, 200, r.text);
  await until('green again once the zone is lifted', async () => (await code('missed')).status === 'green');
});
