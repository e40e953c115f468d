// The audit log by time (issue 12 item 10, the audit page's time range): GET /api/v1/audit
// with since (inclusive) and until (exclusive), alone, together and with a record, to the
// millisecond; a time that does not parse is refused naming its field.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish } = require('./lib/server.js');

let srv;
let people;
after(async () => finish(srv));
before(async () => {
  srv = await start();
  people = (await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=2`)).json.people;
  assert.equal(people.length, 2);
});

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// The entries of cmd103's reads of person p (without a query: polled until the writer
// has them; with one, the entries as they stand).
async function readsOf(p, query = '') {
  let a;
  for (let i = 0; i < (query ? 1 : 50); i++) {
    a = await srv.get('auditor1', `/api/v1/audit?user=cmd103&record=person:${p.id}${query}`);
    assert.equal(a.status, 200, a.text);
    if (a.json.entries.some((e) => e.action === 'GET /api/v1/people/{id}')) break;
    await sleep(100);
  }
  return a.json.entries.filter((e) => e.action === 'GET /api/v1/people/{id}');
}

test('since and until bound the log by time: since inclusive, until exclusive', async () => {
  assert.equal((await srv.get('cmd103', `/api/v1/people/${people[0].id}`)).status, 200);
  const [a] = await readsOf(people[0]);
  await sleep(1100);
  const mid = new Date().toISOString();
  await sleep(50);
  assert.equal((await srv.get('cmd103', `/api/v1/people/${people[1].id}`)).status, 200);
  const [b] = await readsOf(people[1]);
  assert.ok(a && b && a.at < mid && mid < b.at, `${a && a.at} < ${mid} < ${b && b.at}`);

  const ids = async (q) =>
    (await srv.get('auditor1', `/api/v1/audit?user=cmd103&limit=500${q}`)).json.entries.map((e) => e.id);
  const after = await ids(`&since=${mid}`);
  assert.ok(after.includes(b.id) && !after.includes(a.id), 'since: only what came after');
  const before = await ids(`&until=${mid}`);
  assert.ok(before.includes(a.id) && !before.includes(b.id), 'until: only what came before');
  // To the millisecond: an entry's own time is inside since and outside until.
  assert.ok((await ids(`&since=${b.at}`)).includes(b.id));
  assert.ok(!(await ids(`&until=${b.at}`)).includes(b.id));
  const both = await ids(`&since=${a.at}&until=${mid}`);
  assert.ok(both.includes(a.id) && !both.includes(b.id));
  // With a record: the per-person search within the range.
  assert.deepEqual(
    (await readsOf(people[1], `&since=${mid}`)).map((e) => e.id),
    [b.id],
  );
  assert.deepEqual(await readsOf(people[1], `&until=${mid}`), []);
});

test('a time that does not parse is refused, naming its field', async () => {
  for (const f of ['since', 'until']) {
    const r = await srv.get('auditor1', `/api/v1/audit?${f}=yesterday`);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, f, r.text);
  }
});
