// Issue 12, item 1: the roll-call a grid worker walks door to door. GET /missing answers,
// per person, the codes and the names of their compound, building and household, the
// person's name and masked phone (the full number to the grid worker alone), in walking
// order (compound, building by name, household by name in natural order, person), with
// the place's counts for the header; an exemption takes the person off the list and
// moves the counts; every person listed is audited by person.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
let round;
let grid;
before(async () => {
  srv = await start();
  const r = await srv.request('POST', '/api/v1/rounds', {
    session: await srv.as('staff103'),
    body: { scope: srv.places.district, name: '点名', pool: 10 },
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  grid = srv.users.grid1.place;
});
after(async () => finish(srv));

// Names in natural order: digit runs by value, the rest by code unit.
function natural(a, b) {
  const re = /(\d+)|(\D+)/g;
  const x = a.match(re) || [];
  const y = b.match(re) || [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const dx = /^\d/.test(x[i]);
    const dy = /^\d/.test(y[i]);
    if (dx && dy) {
      const c = BigInt(x[i]) - BigInt(y[i]);
      if (c !== 0n) return c < 0n ? -1 : 1;
    } else if (x[i] !== y[i]) {
      return Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
    }
  }
  return x.length - y.length || Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function all(who, place, limit = 37) {
  const out = [];
  let cursor = null;
  let counts = null;
  for (let i = 0; i < 1000; i++) {
    const q = `place=${place}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await srv.get(who, `/api/v1/rounds/${round}/missing?${q}`);
    assert.equal(r.status, 200, r.text);
    if (counts) assert.deepEqual(r.json.counts, counts, 'the counts are those of the place, page after page');
    counts = r.json.counts;
    out.push(...r.json.missing);
    cursor = r.json.cursor;
    if (!cursor) break;
  }
  return { list: out, counts };
}

test('names of compound, building and household, as the places table holds them', async () => {
  const { list, counts } = await all('grid1', grid);
  assert.ok(list.length >= 4, `the grid has people missing: ${list.length}`);
  const names = new Map(
    sql(srv.db, `SELECT code, name FROM places WHERE code LIKE '${grid}%'`).map((p) => [p.code, p.name]),
  );
  for (const m of list) {
    assert.ok(m.name, JSON.stringify(m));
    assert.equal(m.household_name, names.get(m.household));
    assert.equal(m.building_name, names.get(m.building));
    assert.equal(m.compound_name, names.get(m.compound));
    assert.match(m.building_name, /栋$/);
    assert.match(m.household_name, /^\d+$/);
    assert.ok(m.household.startsWith(m.building) && m.building.startsWith(m.compound));
  }
  assert.equal(counts.place, grid);
  assert.equal(counts.level, 'grid');
  assert.equal(counts.name, names.get(grid));
  assert.equal(counts.missing, list.length, 'the header counts the list');
  assert.equal(counts.due, counts.people - counts.exempted);
  assert.equal(counts.sampled, 0);
});

test('sorted the way one walks: compound, building by name, household by name, person', async () => {
  const { list } = await all('staff103', grid, 2);
  const compounds = sql(srv.db, `SELECT code FROM places WHERE level = 5 AND code LIKE '${grid}%' ORDER BY code`).map(
    (c) => c.code,
  );
  const rank = (code) => compounds.indexOf(code);
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1];
    const b = list[i];
    const c =
      rank(a.compound) - rank(b.compound) ||
      (a.building === b.building ? 0 : natural(a.building_name, b.building_name)) ||
      (a.household === b.household ? 0 : natural(a.household_name, b.household_name)) ||
      a.person_id - b.person_id;
    assert.ok(c < 0, `out of order: ${JSON.stringify(a)} before ${JSON.stringify(b)}`);
  }
  // Grouped: a building's people come together, and so do a household's.
  const runs = (key) => list.map((m) => m[key]).filter((v, i, arr) => i === 0 || v !== arr[i - 1]);
  assert.equal(new Set(runs('building')).size, runs('building').length, 'a building listed in two runs');
  assert.equal(new Set(runs('household')).size, runs('household').length, 'a household listed in two runs');
  assert.equal(new Set(list.map((m) => m.person_id)).size, list.length, 'someone listed twice');
  // The natural order itself, as the list must apply it.
  assert.deepEqual(['1001', '201', '10栋', '102', '2栋', '101'].sort(natural), [
    '2栋',
    '10栋',
    '101',
    '102',
    '201',
    '1001',
  ]);
});

test('phones: masked for every reader, the full number to the grid worker only', async () => {
  const mine = (await all('grid1', grid)).list;
  const theirs = (await all('staff103', grid)).list;
  const cmd = (await all('cmd103', grid)).list;
  assert.equal(mine.length, theirs.length);
  const withPhone = mine.filter((m) => m.phone);
  assert.ok(withPhone.length > 0, 'the generated residents have phones');
  for (const m of mine) {
    assert.equal(typeof m.phone, 'string');
    assert.equal(m.phone_masked, m.phone ? `${m.phone.slice(0, 3)}****${m.phone.slice(-4)}` : '');
  }
  // The number is the person's own, as their record (audited read) gives it.
  const r = await srv.get('grid1', `/api/v1/people/${withPhone[0].person_id}`);
  assert.equal(r.json.person.phone, withPhone[0].phone);
  for (const m of [...theirs, ...cmd]) {
    assert.equal(m.phone, undefined, 'only a grid worker gets the full number');
    assert.match(m.phone_masked, /^(\d{3}\*{4}\d{4})?$/);
  }
  assert.deepEqual(
    theirs.map((m) => m.phone_masked),
    mine.map((m) => m.phone_masked),
  );
  // Roles without the roll-call are refused, as before.
  for (const who of ['operator1', 'auditor1', 'sampler1', 'lab1']) {
    assertBareError(await srv.get(who, `/api/v1/rounds/${round}/missing?place=${grid}`), 403);
  }
});

test('an exemption takes the person off the list and moves the counts; every read is audited', async () => {
  const before = await all('grid1', grid);
  const gone = before.list[1];
  const r = await srv.request('POST', '/api/v1/exemptions', {
    session: await srv.as('grid1'),
    body: { person: gone.person_id, round, reason: 'hospitalised' },
  });
  assert.equal(r.status, 201, r.text);
  const after = await all('grid1', grid);
  assert.deepEqual(
    after.list.map((m) => m.person_id),
    before.list.map((m) => m.person_id).filter((id) => id !== gone.person_id),
  );
  assert.equal(after.counts.exempted, before.counts.exempted + 1);
  assert.equal(after.counts.due, before.counts.due - 1);
  assert.equal(after.counts.missing, before.counts.missing - 1);
  // One entry per person listed, by grid1, found by person.
  const id = after.list[0].person_id;
  let n = 0;
  for (let i = 0; i < 50 && !n; i++) {
    n = sql(
      srv.db,
      "SELECT count(*) AS n FROM audit WHERE actor = 'grid1' " +
        `AND action = 'GET /api/v1/rounds/{id}/missing' AND record = 'person:${id}'`,
    )[0].n;
    if (!n) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(n >= 1, 'the roll-call read of a person is audited under their id');
  // A cursor of a household outside the place: 400 on cursor, not an empty page.
  const other = sql(srv.db, `SELECT id FROM places WHERE level = 7 AND code NOT LIKE '${grid}%' LIMIT 1`)[0].id;
  const bad = await srv.get('grid1', `/api/v1/rounds/${round}/missing?place=${grid}&cursor=${other}:1`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'cursor');
});

test('notes: recorded once per client id, audited, in jurisdiction and the round only', async () => {
  const person = (await all('grid1', grid)).list[0].person_id;
  const send = async (who, body) => srv.request('POST', '/api/v1/notes', { session: await srv.as(who), body });
  const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  let r = await send('grid1', { id, person, round, text: '敲门无人，晚上再来' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.note.text, '敲门无人，晚上再来');
  assert.equal(r.json.note.person, person);
  // A resend after a lost answer: 409 on id, one row.
  r = await send('grid1', { id, person, round, text: '敲门无人，晚上再来' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'id');
  const rows = () => sql(srv.db, `SELECT count(*) AS n FROM rollcall_notes WHERE person_id = ${person}`)[0].n;
  assert.equal(rows(), 1);
  // Sealed at rest, shown with the roll-call to those who read it.
  const raw = sql(srv.db, `SELECT hex(sealed) AS h FROM rollcall_notes WHERE person_id = ${person}`)[0].h;
  assert.ok(!raw.includes(Buffer.from('敲门无人').toString('hex').toUpperCase()), 'the text is sealed');
  for (const who of ['grid1', 'staff103']) {
    const m = (await all(who, grid)).list.find((x) => x.person_id === person);
    assert.equal(m.note, '敲门无人，晚上再来');
    assert.match(m.note_at, /^\d{4}-\d\d-\d\dT/);
  }
  assert.ok((await all('grid1', grid)).list.filter((x) => x.person_id !== person).every((x) => x.note === null));
  // Refusals name their field and write nothing.
  for (const [body, field] of [
    [{ id: 'n2', person, round, text: '' }, 'text'],
    [{ id: 'n2', person, round, text: 'x'.repeat(501) }, 'text'],
    [{ id: 'n2', person, round, text: '\u202eevil' }, 'text'],
    [{ id: 'n 2', person, round, text: 'ok' }, 'id'],
    [{ id: 'n2', person, round, text: 'ok', extra: 1 }, 'extra'],
  ]) {
    r = await send('grid1', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.equal(rows(), 1);
  // Roles and places: a commander may not write notes; staff of the district may; a
  // grid worker may not for a resident of another grid, nor from a round not covering them.
  assertBareError(await send('cmd103', { id: 'n3', person, round, text: 'x' }), 403);
  assert.equal((await send('staff103', { id: 'n4', person, round, text: '已电话联系' })).status, 201);
  const outside = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code NOT LIKE '${grid}%' AND h.code LIKE '${srv.places.district}%' LIMIT 1`,
  )[0].id;
  assertBareError(await send('grid1', { id: 'n5', person: outside, round, text: 'x' }), 403);
  const other = await srv.request('POST', '/api/v1/rounds', {
    session: await srv.as('admin'),
    body: { scope: srv.places.other, name: '他区', pool: 5 },
  });
  assertBareError(await send('grid1', { id: 'n6', person, round: other.json.round.id, text: 'x' }), 403);
  assert.equal(rows(), 2);
  // Audited in the same transaction, by person.
  const audited = sql(
    srv.db,
    `SELECT count(*) AS n FROM audit WHERE action = 'POST /api/v1/notes' AND record = 'person:${person}'`,
  )[0].n;
  assert.equal(audited, 2);
});
