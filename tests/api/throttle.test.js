// Sign-in throttling: after repeated failures for a user (and from an address) sign-in
// answers 429 — even with the right password — and /metrics counts it. A file of its
// own: the address throttle would refuse every later sign-in from 127.0.0.1.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, assertBareError } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

test('repeated failed sign-ins answer 429, then the right password does not help', async () => {
  // A session from before the throttle keeps working: it is sign-in that is throttled.
  const before429 = await srv.signIn('cmd106');
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    const r = await srv.request('POST', '/api/v1/session', {
      body: { username: 'operator1', password: `wrong-password-${i}` },
    });
    statuses.push(r.status);
    if (r.status !== 401) assertBareError(r, 429);
  }
  assert.equal(statuses[0], 401);
  assert.ok(statuses.includes(429), `no 429 in ${statuses}`);
  const first429 = statuses.indexOf(429);
  assert.ok(
    statuses.slice(first429).every((s) => s === 429),
    `${statuses}`,
  );
  assert.ok(first429 <= 6, `throttled only after ${first429} failures`);

  const right = await srv.request('POST', '/api/v1/session', {
    body: { username: 'operator1', password: srv.users.operator1.password },
  });
  assertBareError(right, 429);
  assert.equal(right.headers.get('set-cookie'), null);

  const still = await srv.request('GET', '/api/v1/session', { session: before429 });
  assert.equal(still.status, 200);

  const m = await srv.request('GET', '/metrics');
  assert.equal(m.status, 200);
  const throttled = /^muster_signin_throttled_total (\d+)/m.exec(m.text);
  assert.ok(throttled && Number(throttled[1]) >= 1, 'muster_signin_throttled_total not counted');
  const failures = /^muster_signin_failures_total (\d+)/m.exec(m.text);
  assert.ok(failures && Number(failures[1]) >= first429, 'muster_signin_failures_total');
});
