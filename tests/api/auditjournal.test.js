// Reads of people fail closed (issue 11 item 5): a read is answered only once its audit
// entries are in the journal beside the database, so a kill -9 in the middle of a storm
// of reads loses none that a client saw answered (the next command that writes, or the
// next server, moves them into the log, once); and a journal that cannot be written
// refuses the read with 503 storage_full and counts every entry lost.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { buildCity, serve, sql, musterOk } = require('./lib/server.js');

let fx;
before(() => {
  fx = buildCity();
});
after(() => fs.rmSync(fx.dir, { recursive: true, force: true }));

async function lost(srv) {
  const r = await srv.request('GET', '/metrics');
  const m = /^muster_audit_lost_total (\d+)$/m.exec(r.text);
  assert.ok(m, 'no muster_audit_lost_total in /metrics');
  return Number(m[1]);
}

// Entries of cmd103's reads, by "action record".
function entries() {
  const rows = sql(
    fx.db,
    "SELECT action, record, count(*) AS n FROM audit WHERE actor = 'cmd103' " +
      "AND action IN ('GET /api/v1/people/{id}', 'GET /api/v1/people') GROUP BY action, record",
  );
  const m = new Map();
  for (const r of rows) m.set(`${r.action} ${r.record}`, r.n);
  return m;
}

test('a journal that cannot be written: the read answers 503 storage_full, each entry counted lost', async () => {
  process.env.MUSTER_AUDIT_JOURNAL = '/dev/full';
  let srv;
  try {
    srv = await serve(fx);
  } finally {
    delete process.env.MUSTER_AUDIT_JOURNAL;
  }
  try {
    const people = sql(
      fx.db,
      "SELECT id FROM people WHERE household_id IN (SELECT id FROM places WHERE code LIKE '440103%') LIMIT 1",
    );
    assert.equal(people.length, 1);
    const id = people[0].id;
    const before0 = entries();
    const lost0 = await lost(srv);
    const one = await srv.get('cmd103', `/api/v1/people/${id}`);
    assert.equal(one.status, 503, one.text);
    assert.equal(one.json.error.code, 'storage_full');
    assert.ok(!one.text.includes('"person"'), 'the refused read carries no record');
    assert.equal(await lost(srv), lost0 + 1);
    const list = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=5`);
    assert.equal(list.status, 503, list.text);
    assert.equal(await lost(srv), lost0 + 6, 'one lost entry per person of the list');
    // What reads no person is served as before; so are writes (sign-in wrote one).
    const place = await srv.get('cmd103', `/api/v1/places/${srv.places.district}`);
    assert.equal(place.status, 200, place.text);
    // And /healthz says so, for the operator's monitoring.
    const health = await srv.request('GET', '/healthz');
    assert.equal(health.status, 503, health.text);
    assert.equal(health.json.error.code, 'storage_full');
    await srv.stop();
    srv = null;
    assert.deepEqual(entries(), before0, 'no entry of a refused read');
  } finally {
    if (srv) await srv.stop();
  }
});

test('kill -9 in a storm of person reads: every read answered 200 has its entry, once', async (t) => {
  let srv = await serve(fx);
  const session = await srv.as('cmd103');
  const list = await srv.get('cmd103', `/api/v1/people?place=${srv.places.district}&limit=50`);
  assert.equal(list.status, 200);
  const ids = list.json.people.map((p) => p.id);
  assert.ok(ids.length >= 20, `only ${ids.length} people`);
  // Let the writer move the list read's entries, then count from a quiet log.
  await new Promise((r) => setTimeout(r, 300));
  const base = entries();
  const seen = new Map(); // "action record" -> 200s the client saw
  const see = (k) => seen.set(k, (seen.get(k) || 0) + 1);
  let sent = 0;
  let stop = false;
  const headers = { Cookie: session.cookie };
  async function single() {
    while (!stop) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      sent++;
      try {
        const r = await fetch(`${srv.url}/api/v1/people/${id}`, { headers });
        await r.text();
        if (r.status === 200) see(`GET /api/v1/people/{id} person:${id}`);
      } catch {
        return; // the server is gone
      }
    }
  }
  let listSent = 0;
  async function lists() {
    while (!stop) {
      listSent++;
      try {
        const r = await fetch(`${srv.url}/api/v1/people?place=${srv.places.district}&limit=10`, { headers });
        const text = await r.text();
        if (r.status === 200) for (const p of JSON.parse(text).people) see(`GET /api/v1/people person:${p.id}`);
      } catch {
        return;
      }
    }
  }
  const workers = [];
  for (let i = 0; i < 12; i++) workers.push(single());
  for (let i = 0; i < 4; i++) workers.push(lists());
  // Killed once the storm has had 1.5 s and more than 200 reads answered (a loaded
  // machine answers fewer in 1.5 s: 157 at load 14), or after 20 s whatever the count.
  const answeredNow = () => [...seen.values()].reduce((a, b) => a + b, 0);
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000 && (Date.now() - t0 < 1500 || answeredNow() <= 200)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  srv.proc.kill('SIGKILL');
  const { signal } = await srv.exited;
  stop = true;
  await Promise.all(workers);
  assert.equal(signal, 'SIGKILL');
  let answered = 0;
  for (const n of seen.values()) answered += n;
  assert.ok(answered > 200, `only ${answered} reads answered before the kill`);

  // A command that writes moves what the journal holds into the log first.
  musterOk([
    'site',
    'add',
    '--code',
    'JOURNAL-1',
    '--place',
    '440103',
    '--name',
    'journal',
    '--desks',
    '1',
    '--db',
    fx.db,
  ]);
  const after1 = entries();
  let missing = 0;
  let extra = 0;
  for (const [k, n] of seen) {
    const got = (after1.get(k) || 0) - (base.get(k) || 0);
    if (got < n) missing += n - got;
  }
  for (const [k, n] of after1) extra += n - (base.get(k) || 0);
  extra -= answered;
  t.diagnostic(
    `${answered} person entries answered 200 before the kill, ${missing} without an entry, ${extra} more entries than answers`,
  );
  assert.equal(missing, 0, `${missing} of ${answered} answered reads have no audit entry`);
  // Entries beyond the answers are reads whose answer the kill cut off: at most one
  // request in flight per worker (a list holds up to 10 people).
  assert.ok(extra >= 0 && extra <= 12 + 4 * 10, `${extra} entries beyond the ${answered} answers`);

  // A server started afterwards adds none of them again; the chain holds.
  srv = await serve(fx);
  await new Promise((r) => setTimeout(r, 300));
  await srv.stop();
  assert.deepEqual(entries(), after1, 'the replay at start added entries twice');
  const verify = musterOk(['audit', 'verify', '--db', fx.db]);
  assert.match(verify.stdout + verify.stderr, /ok|intact|holds/i);
  assert.ok(sent + listSent > answered / 10);
});
