// Issue 11, item 3: a list of people does not give away the ID numbers it masks, and
// every person a list read named is found in the audit log by that person alone.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

async function auditOf(person, actor) {
  let entries = [];
  for (let i = 0; i < 50 && !entries.length; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${person}`);
    assert.equal(a.status, 200, a.text);
    entries = a.json.entries.filter((e) => e.actor === actor);
    if (!entries.length) await new Promise((res) => setTimeout(res, 100));
  }
  return entries;
}

test('a person on page 2 of a list is found in the audit log by person', async () => {
  const p1 = await srv.get('staff103', `/api/v1/people?place=${srv.places.district}&limit=60`);
  assert.equal(p1.status, 200, p1.text);
  assert.ok(p1.json.cursor);
  const p2 = await srv.get(
    'staff103',
    `/api/v1/people?place=${srv.places.district}&limit=60` + `&cursor=${encodeURIComponent(p1.json.cursor)}`,
  );
  assert.equal(p2.status, 200, p2.text);
  assert.equal(p2.json.people.length, 60);
  // The last of the page: past the 50 ids a record used to name.
  for (const p of [p2.json.people[0], p2.json.people[55], p2.json.people[59]]) {
    const entries = await auditOf(p.id, 'staff103');
    assert.ok(entries.length >= 1, `no audit entry names person ${p.id}`);
    assert.equal(entries[0].record, `person:${p.id}`);
    assert.equal(entries[0].action, 'GET /api/v1/people');
    assert.equal(entries[0].status, 200);
  }
});

test('the masked ID number and the other fields of a list cannot rebuild the number', async () => {
  const r = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=40`);
  assert.equal(r.status, 200);
  let residents = 0;
  for (const p of r.json.people) {
    const full = (await srv.get('admin', `/api/v1/people/${p.id}`)).json.person.id_number;
    const text = JSON.stringify(p);
    assert.ok(!text.includes(full), 'the full number');
    if (p.id_type !== 'resident_id') continue;
    residents++;
    // 6 digits of the region; the birth date, the sequence and the check digit hidden.
    assert.match(p.id_number_masked, /^\d{6}\*{12}$/);
    assert.equal(p.id_number_masked.slice(0, 6), full.slice(0, 6));
    const birth = full.slice(6, 14);
    const dashed = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`;
    assert.deepEqual(Object.keys(p).sort(), [
      'address',
      'household',
      'id',
      'id_number_masked',
      'id_type',
      'name',
      'sex',
    ]);
    assert.ok(!text.includes(dashed), `the birth date is in ${text}`);
    for (const [k, v] of Object.entries(p)) {
      // (the household's code is digits of the place tree, not of the person)
      if (k !== 'household') assert.ok(!String(v).includes(birth), `the birth date is in ${text}`);
    }
  }
  assert.ok(residents > 0, 'no resident ID on the page');
});
