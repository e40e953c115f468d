// Issue 11, item 1: a request without an identity must not cost a durable row. Anonymous
// refusals are counted in memory and written as one summary entry per minute, address,
// route and status; past --anon-rate refusals per second from one address the server
// answers 429.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start(['--anon-rate', '20']);
});
after(async () => finish(srv));

const auditRows = () => sql(srv.db, 'SELECT count(*) AS n FROM audit')[0].n;

test('anonymous refusals add a bounded number of audit rows, and past the rate answer 429', async () => {
  const before0 = auditRows();
  const statuses = new Map();
  const N = 400;
  // In waves of 20 at once: well over 20 a second from 127.0.0.1.
  for (let i = 0; i < N; i += 20) {
    const wave = await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        srv.request('GET', j % 2 ? '/api/v1/rounds' : '/api/v1/people/1', j % 4 === 1 ? { token: 'x'.repeat(52) } : {}),
      ),
    );
    for (const r of wave) statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
  }
  assert.equal((statuses.get(401) || 0) + (statuses.get(429) || 0), N, JSON.stringify([...statuses]));
  assert.ok(statuses.get(429) > 0, `no 429 among ${JSON.stringify([...statuses])}`);
  // Give the writer time to append whatever was queued.
  await new Promise((res) => setTimeout(res, 500));
  const added = auditRows() - before0;
  // At most one summary per (minute, address, route, status): 2 routes, a minute boundary.
  assert.ok(added <= 4, `${N} anonymous refusals added ${added} audit rows`);
  // A signed-in user from the same address is still served.
  const me = await srv.get('cmd103', '/api/v1/rounds');
  assert.equal(me.status, 200, me.text);
  const m = await srv.request('GET', '/metrics');
  assert.match(m.text, /^muster_auth_anonymous_limited_total [1-9]\d*$/m);
});

test('the summary of anonymous refusals reaches the audit log when the server stops', async () => {
  const n0 = sql(srv.db, "SELECT count(*) AS n FROM audit WHERE actor = '' AND action = 'denied GET /api/v1/rounds'")[0]
    .n;
  await new Promise((res) => setTimeout(res, 1100)); // a fresh second of the rate
  for (let i = 0; i < 3; i++) assert.equal((await srv.request('GET', '/api/v1/rounds')).status, 401);
  await srv.stop();
  const rows = sql(
    srv.db,
    "SELECT record, addr, status FROM audit WHERE actor = '' AND " + "action = 'denied GET /api/v1/rounds' ORDER BY id",
  );
  assert.ok(rows.length > n0, 'no summary entry written at stop');
  const last = rows[rows.length - 1];
  assert.equal(last.addr, '127.0.0.1');
  assert.equal(last.status, 401);
  assert.match(last.record, /^anonymous:\d+ minute:\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
});
