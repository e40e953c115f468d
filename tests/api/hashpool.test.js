// Bogus sign-ins hash on a bounded pool (issue 11 item 8): argon2id (64 MiB) used to run
// on every request thread, so a flood of wrong passwords stalled unrelated reads. Now a
// full pool answers 503 with Retry-After at once, and other routes are still served.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, assertBareError, signInFrom } = require('./lib/server.js');

let srv;
before(async () => {
  // The flood keeps all 8 threads hashing for seconds under a loaded `make test`, and the
  // head deadline counts from accept: a long one keeps this test about the pool alone.
  srv = await start(['--threads', '8', '--head-timeout', '60']);
});
after(async () => finish(srv));

test('concurrent bogus sign-ins get 503 from a full pool while other routes answer', async () => {
  const session = await srv.as('staff103');
  const flood = [];
  for (let i = 0; i < 32; i++)
    flood.push(signInFrom(srv.url, `127.0.1.${i + 1}`, `bogus${i}`, 'not-the-password-at-all'));
  const reads = [];
  for (let i = 0; i < 6; i++) reads.push(srv.request('GET', '/api/v1/session', { session }));
  const answers = await Promise.all(flood);
  const counts = {};
  for (const a of answers) counts[a.status] = (counts[a.status] || 0) + 1;
  assert.ok(counts[503] > 0, `no 503 among ${JSON.stringify(counts)}`);
  assert.ok(counts[401] > 0, `no sign-in was tried at all: ${JSON.stringify(counts)}`);
  assert.equal((counts[401] || 0) + (counts[503] || 0), 32, JSON.stringify(counts));
  assert.ok(answers.filter((a) => a.status === 503).every((a) => a.headers['retry-after'] === '1'));
  for (const r of await Promise.all(reads)) assert.equal(r.status, 200);
  const busy = await srv.request('POST', '/api/v1/session', {
    body: { username: 'bogus-x', password: 'x'.repeat(12) },
  });
  assert.ok([401, 503].includes(busy.status));
  if (busy.status === 503) assertBareError(busy, 503);
  const m = await srv.request('GET', '/metrics');
  const v = /^muster_signin_busy_total (\d+)/m.exec(m.text);
  assert.ok(v && Number(v[1]) >= counts[503], 'muster_signin_busy_total');
});
