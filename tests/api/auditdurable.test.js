// A read of people is answered only once its audit entries are committed (issue 11
// item 5): right after the answer, the database file itself holds one entry per person
// read — a one-person read and a list alike — without waiting for any later batch.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

function entries(record) {
  return sql(srv.db, `SELECT count(*) AS n FROM audit WHERE record = '${record}' AND actor = 'cmd103'`)[0].n;
}

test('a person read is in the audit log when it is answered', async () => {
  const list = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=5`);
  assert.equal(list.status, 200);
  const people = list.json.people;
  assert.ok(people.length >= 2);
  // No wait: read the file at once, from another process.
  for (const p of people) assert.equal(entries(`person:${p.id}`), 1, `list read of ${p.id}`);
  for (let i = 0; i < 5; i++) {
    const one = await srv.get('cmd103', `/api/v1/people/${people[0].id}`);
    assert.equal(one.status, 200);
    assert.equal(entries(`person:${people[0].id}`), 2 + i, 'a single read');
  }
});
