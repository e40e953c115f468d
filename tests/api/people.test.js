// The people read API: everyone under a place a page at a time, search by ID number and
// by name fragment (paginated, bounded), one person's full record — and the audit
// entries those reads leave.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

// Every page of a listing; returns {people, pages, scanned}.
async function allPages(user, query, limit) {
  const out = [];
  let cursor = null;
  let pages = 0;
  let scanned = 0;
  for (;;) {
    const c = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const r = await srv.get(user, `/api/v1/people?${query}&limit=${limit}${c}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.people.length <= limit);
    assert.equal(typeof r.json.scanned, 'number');
    out.push(...r.json.people);
    scanned += r.json.scanned;
    pages++;
    cursor = r.json.cursor;
    if (!cursor) break;
    assert.ok(pages < 10_000, 'the cursor never ends');
  }
  return { people: out, pages, scanned };
}

function assertOrdered(list) {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1];
    const b = list[i];
    assert.ok(
      a.household < b.household || (a.household === b.household && a.id < b.id),
      `out of order: ${JSON.stringify(a)} then ${JSON.stringify(b)}`,
    );
  }
  assert.equal(new Set(list.map((p) => p.id)).size, list.length, 'a person twice');
}

test("everyone in a small grid, two at a time, matches the grid's people count", async () => {
  const place = await srv.get('grid1', `/api/v1/places/${srv.places.grid}`);
  const expected = place.json.place.counts.people;
  assert.ok(expected >= 3, `grid ${srv.places.grid} has only ${expected} people`);
  const { people, pages } = await allPages('grid1', `place=${srv.places.grid}`, 2);
  assert.equal(people.length, expected);
  assert.ok(pages >= 2);
  assertOrdered(people);
  for (const p of people) {
    assert.deepEqual(Object.keys(p).sort(), [
      'address',
      'household',
      'id',
      'id_number_masked',
      'id_type',
      'name',
      'sex',
    ]);
    // Names, not codes: the building's and the household's (issue 12).
    assert.ok(p.address.length > 0 && !p.address.includes(p.household), p.address);
    assert.ok(p.household.startsWith(srv.places.grid));
    assert.match(p.sex, /^[MF]$/);
    // No birth date in lists; a resident ID shows its region only (issue 11).
    if (p.id_type === 'resident_id') assert.match(p.id_number_masked, /^\d{6}\*{12}$/);
  }
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.grid}%' ORDER BY h.code, p.id`,
  ).map((r) => r.id);
  assert.deepEqual(
    people.map((p) => p.id),
    ids,
  );
});

test('everyone in a district, by pages of 50, once each and in household order', async () => {
  const place = await srv.get('cmd103', `/api/v1/places/${srv.places.district}`);
  const { people } = await allPages('cmd103', `place=${srv.places.district}`, 50);
  assert.equal(people.length, place.json.place.counts.people);
  assertOrdered(people);
});

test('search by ID number: exact, only inside the place asked about', async () => {
  const first = (await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=1`)).json.people[0];
  const full = (await srv.get('cmd103', `/api/v1/people/${first.id}`)).json.person;
  const r = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&q=${full.id_number}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.people.map((p) => p.id),
    [first.id],
  );
  assert.equal(r.json.cursor, null);
  assert.ok(!r.text.includes(full.id_number), 'the answer carries the full ID number');
  const masked = r.json.people[0].id_number_masked;
  assert.equal(masked.length, full.id_number.length);
  assert.equal(masked.slice(0, 6), full.id_number.slice(0, 6));
  assert.equal(masked.slice(6), full.id_type === 'resident_id' ? '*'.repeat(12) : masked.slice(6));
  // A lower-case x reads the same resident ID.
  if (full.id_number.endsWith('X')) {
    const low = await srv.get(
      'cmd103',
      `/api/v1/people?place=${srv.places.district}&q=${full.id_number.toLowerCase()}`,
    );
    assert.deepEqual(
      low.json.people.map((p) => p.id),
      [first.id],
    );
  }
  // The same number asked under another district (by its commander): not there.
  const elsewhere = await srv.get('cmd106', `/api/v1/people?place=${srv.places.other}&q=${full.id_number}`);
  assert.equal(elsewhere.status, 200);
  assert.deepEqual(elsewhere.json.people, []);
  // A number nobody has.
  const none = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&q=440103190001010000`);
  assert.deepEqual(none.json.people, []);
});

test('search by name fragment, a page at a time, finds exactly the matching people', async () => {
  const everyone = (await allPages('cmd103', `place=${srv.places.district}`, 1000)).people;
  // The most common first character: a fragment with many matches over many pages.
  const freq = new Map();
  for (const p of everyone) freq.set([...p.name][0], (freq.get([...p.name][0]) || 0) + 1);
  const [frag, n] = [...freq.entries()].sort((a, b) => b[1] - a[1])[0];
  assert.ok(n >= 4, `fragment ${frag} matches only ${n}`);
  const q = `place=${srv.places.district}&q=${encodeURIComponent(frag)}`;
  const { people, pages, scanned } = await allPages('cmd103', q, 3);
  const expected = everyone.filter((p) => p.name.includes(frag));
  assert.deepEqual(
    people.map((p) => p.id),
    expected.map((p) => p.id),
  );
  assert.ok(pages >= 2);
  // Each page resumes after the last person examined: everyone is examined exactly once.
  assert.equal(scanned, everyone.length);
  // A two-character fragment from the middle of a name.
  const long = everyone.find((p) => [...p.name].length >= 3);
  const mid = [...long.name].slice(1, 3).join('');
  const r = await allPages('cmd103', `place=${srv.places.district}&q=${encodeURIComponent(mid)}`, 100);
  assert.ok(r.people.some((p) => p.id === long.id));
  assert.ok(r.people.every((p) => p.name.includes(mid)));
});

test('a name scan reports what it examined, and a fragment nobody has ends with no cursor', async () => {
  const city = await srv.get('citycmd', `/api/v1/places/${srv.places.city}`);
  const total = city.json.place.counts.people;
  const r = await srv.get('citycmd', `/api/v1/people?place=${srv.places.city}&q=${encodeURIComponent('无此名字')}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.people, []);
  // At most 20,000 people are examined per request; this city is smaller.
  if (total <= 20000) {
    assert.equal(r.json.scanned, total);
    assert.equal(r.json.cursor, null);
  } else {
    assert.equal(r.json.scanned, 20000);
    assert.ok(r.json.cursor);
  }
});

test('bad search text answers 400 on q', async () => {
  for (const q of ['%01abc', encodeURIComponent('名'.repeat(65))]) {
    const r = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&q=${q}`);
    assertBareError(r, 400);
    assert.equal(r.json.error.field, 'q');
  }
});

test('GET /people/{id}: the full record, and an audit entry for the read', async () => {
  const first = (await srv.get('grid1', `/api/v1/people?place=${srv.places.grid}&limit=1`)).json.people[0];
  const r = await srv.get('grid1', `/api/v1/people/${first.id}`);
  assert.equal(r.status, 200, r.text);
  const p = r.json.person;
  assert.deepEqual(Object.keys(p).sort(), [
    'birth_date',
    'code',
    'household',
    'id',
    'id_number',
    'id_type',
    'name',
    'party',
    'path',
    'phone',
    'sex',
  ]);
  assert.equal(p.id, first.id);
  assert.equal(p.name, first.name);
  assert.equal(p.household.code, first.household);
  assert.equal(typeof p.party, 'boolean');
  assert.match(p.code, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.deepEqual(
    p.path.map((x) => x.level),
    ['city', 'district', 'street', 'community', 'grid', 'compound', 'building'],
  );
  assert.equal(p.path[4].code, srv.places.grid);
  if (p.id_type === 'resident_id') {
    assert.match(p.id_number, /^\d{17}[\dX]$/);
    const b = p.id_number.slice(6, 14);
    assert.equal(p.birth_date, `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6)}`);
  }
  // The code leads back to the same person (masked).
  const c = await srv.get('grid1', `/api/v1/codes/${p.code}`);
  assert.equal(c.status, 200);
  assert.equal([...c.json.name][0], [...p.name][0]);

  // The read is in the audit log, for the auditor, by record. Entries of reads are
  // queued to the writer: allow it a moment.
  let entries = [];
  for (let i = 0; i < 50 && !entries.length; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${p.id}`);
    assert.equal(a.status, 200, a.text);
    entries = a.json.entries.filter((e) => e.actor === 'grid1' && e.action.includes('/api/v1/people/'));
    if (!entries.length) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(entries.length >= 1, 'no audit entry for the read');
  assert.equal(entries[0].status, 200);
  assert.equal(entries[0].record, `person:${p.id}`);
  assert.equal(entries[0].addr, '127.0.0.1');
  const byUser = await srv.get('auditor1', '/api/v1/audit?user=grid1&limit=500');
  assert.ok(byUser.json.entries.some((e) => e.record === `person:${p.id}`));
});

test('a search names the people it returned in its audit entries, one per person', async () => {
  const r = await srv.get('staff103', `/api/v1/people?place=${srv.places.community}&limit=3`);
  assert.equal(r.status, 200);
  const records = r.json.people.map((p) => `person:${p.id}`);
  assert.equal(records.length, 3);
  let found = false;
  for (let i = 0; i < 50 && !found; i++) {
    const a = await srv.get('auditor1', '/api/v1/audit?user=staff103&limit=50');
    found = records.every((rec) => a.json.entries.some((e) => e.record === rec));
    if (!found) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(found, `no audit entries with records ${records}`);
  srv.assertClean();
});
