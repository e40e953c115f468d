// Sign-in under attack (issue 11 items 6, 8, 15): failures throttle the (user, address)
// pair and the address with a growing delay and a Retry-After, never the account for
// everyone; a known device (a session of the user, or a sign-in from that address before)
// is not held back by others' failures. Clients come from distinct loopback addresses
// (127.0.0.x), so each test's failures are its own.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, signInFrom } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

const signIn = (from, username, password, opts) => signInFrom(srv.url, from, username, password, opts);
const right = (name) => srv.users[name].password;

test('failures of one address do not lock the account for another address', async () => {
  const statuses = [];
  let retry = null;
  for (let i = 0; i < 8; i++) {
    const r = await signIn('127.0.0.2', 'operator1', `wrong-password-${i}`);
    statuses.push(r.status);
    if (r.status === 429) retry = r.headers['retry-after'];
  }
  assert.equal(statuses[0], 401);
  assert.ok(statuses.includes(429), `no 429 in ${statuses}`);
  assert.match(String(retry), /^[1-9]\d*$/, 'a 429 carries Retry-After in seconds');
  // the attacker's address stays held back, even with the right password
  assert.equal((await signIn('127.0.0.2', 'operator1', right('operator1'))).status, 429);
  // the user, from elsewhere, signs in
  const ok = await signIn('127.0.0.3', 'operator1', right('operator1'));
  assert.equal(ok.status, 200, `operator1 from another address: ${ok.status}`);
  // on loopback without --secure-cookies the cookie is not Secure (plain http works)
  assert.doesNotMatch(ok.headers['set-cookie'][0], /Secure/);
});

test('a device that signed in before is not held back by others failing from its address', async () => {
  const from = '127.0.0.4';
  assert.equal((await signIn(from, 'staff103', right('staff103'))).status, 200);
  const statuses = [];
  for (let i = 0; i < 30; i++) {
    statuses.push((await signIn(from, `nobody${i}`, 'wrong-password-x')).status);
  }
  assert.ok(statuses.includes(429), `the address was never throttled: ${statuses}`);
  // a stranger from that address is held back; the known device is not
  assert.equal((await signIn(from, 'grid1', right('grid1'))).status, 429);
  const ok = await signIn(from, 'staff103', right('staff103'));
  assert.equal(ok.status, 200, `known device: ${ok.status}`);
});

test('a client holding a session of the user passes its own throttle', async () => {
  const from = '127.0.0.5';
  const first = await signIn(from, 'auditor1', right('auditor1'));
  assert.equal(first.status, 200);
  const cookie = first.headers['set-cookie'][0].split(';')[0];
  for (let i = 0; i < 8; i++) await signIn(from, 'auditor1', `wrong-password-${i}`);
  assert.equal((await signIn(from, 'auditor1', right('auditor1'))).status, 429);
  const ok = await signIn(from, 'auditor1', right('auditor1'), { cookie });
  assert.equal(ok.status, 200, `with a session: ${ok.status}`);
});

// Issue 11 item 15: login CSRF through a text/plain form or from another site.
test('sign-in wants application/json and a same-origin Origin when there is one', async () => {
  const from = '127.0.0.6';
  const body = JSON.stringify({ username: 'cmd103', password: right('cmd103') });
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
  ]) {
    const r = await signIn(from, null, null, { raw: body, headers: { 'Content-Type': type } });
    assert.equal(r.status, 400, `${type}: ${r.status}`);
    assert.equal(r.headers['set-cookie'], undefined);
  }
  const host = new URL(srv.url).host;
  for (const origin of ['http://evil.example', `http://${host}.evil.example`, 'null', `http://127.0.0.1:1`]) {
    const r = await signIn(from, 'cmd103', right('cmd103'), { headers: { Origin: origin } });
    assert.equal(r.status, 403, `${origin}: ${r.status}`);
    assert.equal(r.headers['set-cookie'], undefined);
  }
  const same = await signIn(from, 'cmd103', right('cmd103'), { headers: { Origin: `http://${host}` } });
  assert.equal(same.status, 200);
  const charset = await signIn(from, 'cmd103', right('cmd103'), {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(charset.status, 200);
});
