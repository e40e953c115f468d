// Issue 11, item 6: coverage, roll-call, recalls and exemptions of a round are served
// only where the round's scope meets the place asked about (inside the caller's
// jurisdiction): another district's round is not read, nor written, through one's own
// places.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
let round106;
let round103;
before(async () => {
  srv = await start();
  const admin = await srv.as('admin');
  let r = await srv.request('POST', '/api/v1/rounds', {
    session: admin,
    body: { scope: srv.places.other, name: '海珠', pool: 5 },
  });
  assert.equal(r.status, 201, r.text);
  round106 = r.json.round.id;
  r = await srv.request('POST', '/api/v1/rounds', {
    session: admin,
    body: { scope: srv.places.district, name: '越秀', pool: 5 },
  });
  round103 = r.json.round.id;
});
after(async () => finish(srv));

test("another district's round is not read through one's own grid", async () => {
  const g = srv.places.grid;
  for (const url of [
    `/api/v1/rounds/${round106}/missing?place=${g}`,
    `/api/v1/rounds/${round106}/recalls?place=${g}`,
    `/api/v1/rounds/${round106}/coverage?place=${g}`,
    `/api/v1/rounds/${round106}/coverage?place=${srv.places.district}`,
  ]) {
    assertBareError(await srv.get('grid1', url).then((x) => x), 403);
    assertBareError(await srv.get('staff103', url), 403);
  }
  // Its own round, and the city's commander on the other round's own places, as before.
  assert.equal((await srv.get('grid1', `/api/v1/rounds/${round103}/missing?place=${g}`)).status, 200);
  assert.equal(
    (await srv.get('staff103', `/api/v1/rounds/${round103}/coverage?place=${srv.places.district}`)).status,
    200,
  );
  assert.equal((await srv.get('citycmd', `/api/v1/rounds/${round106}/coverage?place=${srv.places.city}`)).status, 200);
  assert.equal(
    (await srv.get('cmd106', `/api/v1/rounds/${round106}/missing?place=${srv.places.otherGrid}`)).status,
    200,
  );
});

test("no exemption from another district's round for one's own resident", async () => {
  const person = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  const s = await srv.as('staff103');
  const before = sql(srv.db, 'SELECT count(*) AS n FROM exemptions')[0].n;
  const r = await srv.request('POST', '/api/v1/exemptions', {
    session: s,
    body: { person, round: round106, reason: 'away' },
  });
  assertBareError(r, 403);
  assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM exemptions')[0].n, before);
  const ok = await srv.request('POST', '/api/v1/exemptions', {
    session: s,
    body: { person, round: round103, reason: 'away' },
  });
  assert.equal(ok.status, 201, ok.text);
});

test("the city's coverage of a district's round counts only the district; other districts are out of the round (issue 12, item 5)", async () => {
  const city = await srv.get('citycmd', `/api/v1/rounds/${round103}/coverage?place=${srv.places.city}&depth=2`);
  assert.equal(city.status, 200, city.text);
  const district = await srv.get('citycmd', `/api/v1/rounds/${round103}/coverage?place=${srv.places.district}`);
  assert.equal(district.status, 200);
  assert.equal(district.json.in_scope, true);
  // The city holds the scope: its figures are the district's, not the city's residents.
  assert.equal(city.json.in_scope, true);
  for (const k of ['people', 'expected', 'sampled', 'positive', 'pool_positive'])
    assert.equal(city.json[k], district.json[k], k);
  const cityPeople = Number(sql(srv.db, `SELECT n_people FROM places WHERE code = '${srv.places.city}'`)[0].n_people);
  assert.ok(city.json.people < cityPeople, `${city.json.people} of ${cityPeople}`);
  assert.ok(city.json.children.length > 1);
  for (const k of city.json.children) {
    if (k.place === srv.places.district) {
      assert.equal(k.in_scope, true);
      assert.equal(k.expected, district.json.expected);
      assert.ok(k.children.every((s) => s.in_scope));
    } else {
      // Beside the scope: nothing is expected there in this round, nor in its streets.
      assert.equal(k.in_scope, false, k.place);
      assert.equal(k.people, 0);
      assert.equal(k.expected, 0);
      assert.equal(k.coverage, 0);
      assert.ok(k.children.every((s) => !s.in_scope && s.expected === 0));
    }
  }
  // The round's progress counts what is left of the district, not of the city.
  const pr = await srv.get('citycmd', `/api/v1/rounds/${round103}/progress`);
  assert.equal(pr.status, 200);
  assert.equal(pr.json.remaining, district.json.expected - district.json.sampled);
});
