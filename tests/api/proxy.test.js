// Behind a TLS reverse proxy (issue 11 item 14): --secure-cookies marks the session cookie
// Secure, and --trusted-proxy makes the sign-in throttles count the client X-Forwarded-For
// names — from that proxy only; anyone else's X-Forwarded-For is ignored.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, signInFrom } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start(['--secure-cookies', '--trusted-proxy', '127.0.0.1']);
});
after(async () => finish(srv));

const signIn = (from, username, password, xff) =>
  signInFrom(srv.url, from, username, password, { headers: xff ? { 'X-Forwarded-For': xff } : {} });
const right = (name) => srv.users[name].password;

test('the session cookie is Secure with --secure-cookies, and so is its deletion', async () => {
  const r = await signIn('127.0.0.1', 'cmd103', right('cmd103'));
  assert.equal(r.status, 200);
  const c = r.headers['set-cookie'][0];
  assert.match(c, /; Secure/, c);
  assert.match(c, /HttpOnly/);
  const s = await srv.signIn('cmd103');
  const out = await srv.request('DELETE', '/api/v1/session', { session: s });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0; Secure/);
});

test('from the trusted proxy, X-Forwarded-For is the client the throttle counts', async () => {
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    statuses.push((await signIn('127.0.0.1', 'operator1', `wrong-${i}-password`, '198.51.100.7')).status);
  }
  assert.ok(statuses.includes(429), `${statuses}`);
  assert.equal((await signIn('127.0.0.1', 'operator1', right('operator1'), '198.51.100.7')).status, 429);
  // another client behind the same proxy is another address
  const other = await signIn('127.0.0.1', 'operator1', right('operator1'), '10.9.8.7, 198.51.100.8');
  assert.equal(other.status, 200);
  // and the session remembers the client's address, not the proxy's
  assert.equal(sql(srv.db, "SELECT addr FROM sessions WHERE addr = '198.51.100.8'").length, 1);
});

test('X-Forwarded-For from anyone but the proxy is ignored', async () => {
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    statuses.push((await signIn('127.0.0.9', 'grid1', `wrong-${i}-password`, `203.0.113.${i}`)).status);
  }
  assert.ok(statuses.includes(429), `spoofed addresses escaped the throttle: ${statuses}`);
});
