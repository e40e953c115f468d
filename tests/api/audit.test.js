// The audit chain: after real requests, `muster audit verify` holds; an entry edited,
// removed or two entries swapped in the database (server stopped) make it fail, naming
// the first entry that no longer fits.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { start, finish, muster, sql } = require('./lib/server.js');

let srv;
let dir;
after(async () => finish(srv));
before(async () => {
  srv = await start();
  dir = path.dirname(srv.db);
  // Some history: sign-ins, person reads, refusals, a sign-out.
  const first = (await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=3`)).json.people;
  for (const p of first) assert.equal((await srv.get('cmd103', `/api/v1/people/${p.id}`)).status, 200);
  assert.equal((await srv.get('cmd103', `/api/v1/places/${srv.places.other}`)).status, 403);
  assert.equal((await srv.get('grid1', `/api/v1/people/${first[0].id}`)).status, 403);
  const s = await srv.signIn('staff103');
  assert.equal((await srv.request('DELETE', '/api/v1/session', { session: s })).status, 204);
  // Wait for the queued entries of the reads to be written.
  for (let i = 0; i < 50; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${first[2].id}`);
    if (a.json.entries.length) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await srv.stop();
});

// A copy of the stopped server's database and key file, to tamper with.
function copyDb(name) {
  const to = path.join(dir, `${name}.db`);
  fs.copyFileSync(srv.db, to);
  for (const ext of ['-wal']) {
    if (fs.existsSync(srv.db + ext)) fs.copyFileSync(srv.db + ext, to + ext);
  }
  fs.copyFileSync(`${srv.db}.key`, `${to}.key`);
  fs.chmodSync(`${to}.key`, 0o600);
  return to;
}

function verify(db) {
  const r = muster(['audit', 'verify', '--db', db]);
  return { ...r, text: `${r.stdout}\n${r.stderr}` };
}

// A middle entry of the chain.
function middle(db) {
  const rows = sql(db, 'SELECT id FROM audit ORDER BY id');
  assert.ok(rows.length >= 8, `only ${rows.length} audit entries`);
  return rows[Math.floor(rows.length / 2)].id;
}

test('the untouched chain verifies', () => {
  const v = verify(srv.db);
  assert.equal(v.status, 0, v.text);
});

test('an edited entry is reported', () => {
  const db = copyDb('edited');
  const id = middle(db);
  sql(db, `UPDATE audit SET record = 'person:1' || record WHERE id = ${id}`);
  const v = verify(db);
  assert.equal(v.status, 1, v.text);
  assert.match(v.text, new RegExp(`\\b${id}\\b`), v.text);
});

test('an edited status or time is reported', () => {
  const db = copyDb('status');
  const id = middle(db) + 1;
  sql(db, `UPDATE audit SET status = 200, at_ms = at_ms + 1 WHERE id = ${id}`);
  const v = verify(db);
  assert.equal(v.status, 1, v.text);
  assert.match(v.text, new RegExp(`\\b${id}\\b`), v.text);
});

test('a removed entry is reported at the entry after the gap', () => {
  const db = copyDb('removed');
  const id = middle(db);
  const next = sql(db, `SELECT min(id) AS id FROM audit WHERE id > ${id}`)[0].id;
  sql(db, `DELETE FROM audit WHERE id = ${id}`);
  const v = verify(db);
  assert.equal(v.status, 1, v.text);
  assert.match(v.text, new RegExp(`\\b${next}\\b`), v.text);
});

test('two entries swapped are reported at the first', () => {
  const db = copyDb('swapped');
  const id = middle(db);
  const cols = 'at_ms, actor_kind, actor_id, actor, action, record, addr, status, prev, hash';
  sql(
    db,
    `CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (${id}, ${id + 1});` +
      `UPDATE audit SET (${cols}) = (SELECT ${cols} FROM t WHERE t.id = ${id + 1}) WHERE id = ${id};` +
      `UPDATE audit SET (${cols}) = (SELECT ${cols} FROM t WHERE t.id = ${id}) WHERE id = ${id + 1};`,
  );
  const v = verify(db);
  assert.equal(v.status, 1, v.text);
  assert.match(v.text, new RegExp(`\\b${id}\\b`), v.text);
});
