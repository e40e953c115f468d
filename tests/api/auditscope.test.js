// Issue 11, item 4: the audit log is scoped by jurisdiction like everything else. An
// auditor of one district sees the entries of actors inside it only — not another
// district's (by ?user=, ?record= or unfiltered), nor entries without an actor in it
// (anonymous refusals, labs), which the city's auditors and admins see.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, restart, finish, musterOk, sql, PASSWORD } = require('./lib/server.js');

let srv;
let aud;
let p103;
let p106;
before(async () => {
  srv = await start();
  srv = await restart(srv, [], () =>
    musterOk(
      [
        'user',
        'add',
        'aud103',
        '--role',
        'auditor',
        '--place',
        srv.places.district,
        '--password-stdin',
        '--db',
        srv.db,
      ],
      { input: `${PASSWORD}\n` },
    ),
  );
  aud = await srv.signIn('aud103', PASSWORD);
  p103 = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  p106 = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.other}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  assert.equal((await srv.get('cmd103', `/api/v1/people/${p103}`)).status, 200);
  assert.equal((await srv.get('cmd106', `/api/v1/people/${p106}`)).status, 200);
  assert.equal((await srv.request('GET', '/api/v1/rounds')).status, 401);
  // The city's auditor sees both reads once they are written.
  for (let i = 0; i < 50; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${p106}`);
    if (a.json.entries.some((e) => e.actor === 'cmd106')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
});
after(async () => finish(srv));

const asAud = (q) => srv.request('GET', `/api/v1/audit${q}`, { session: aud });

test("an auditor of one district does not read another district's entries", async () => {
  for (const q of ['?user=cmd106', `?record=person:${p106}`]) {
    const r = await asAud(q);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.entries, [], `${q}: ${r.text}`);
  }
  const all = await asAud('?limit=500');
  assert.equal(all.status, 200);
  assert.ok(all.json.entries.length > 0);
  const actors = new Set(all.json.entries.map((e) => e.actor));
  assert.ok(!actors.has('cmd106'), [...actors].join(','));
  assert.ok(!actors.has(''), 'entries without an actor reach a district auditor');
  assert.ok(!actors.has('auditor1') && !actors.has('admin'), [...actors].join(','));
});

test('inside the district the auditor reads as before; the city auditor reads all', async () => {
  const mine = await asAud(`?record=person:${p103}`);
  assert.ok(
    mine.json.entries.some((e) => e.actor === 'cmd103'),
    mine.text,
  );
  const byUser = await asAud('?user=cmd103');
  assert.ok(byUser.json.entries.length >= 1);
  const city = await srv.get('auditor1', `/api/v1/audit?record=person:${p106}`);
  assert.ok(
    city.json.entries.some((e) => e.actor === 'cmd106'),
    city.text,
  );
});

test('a page of a scoped listing is full when entries remain, and its cursor goes on', async () => {
  // More reads in 106 than a page: the district auditor's pages must not end early.
  for (let i = 0; i < 30; i++) await srv.get('cmd106', `/api/v1/people/${p106}`);
  for (let i = 0; i < 3; i++) await srv.get('cmd103', `/api/v1/people/${p103}`);
  await new Promise((res) => setTimeout(res, 500));
  const first = await asAud('?limit=2');
  assert.equal(first.json.entries.length, 2);
  assert.ok(first.json.cursor);
  const next = await asAud(`?limit=2&cursor=${first.json.cursor}`);
  assert.equal(next.status, 200);
  assert.ok(next.json.entries.length >= 1);
  for (const e of [...first.json.entries, ...next.json.entries]) assert.notEqual(e.actor, 'cmd106');
});
