// Sign-in, sign-out, the session cookie, CSRF, expiry, and strict input on the sign-in
// body: malformed JSON, wrong types, unknown fields, oversized bodies.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
before(async () => {
  // Sessions of one hour: the cookie says so, and expiry is forced in the database below.
  srv = await start(['--session-hours', '1']);
});
after(async () => finish(srv));

test('sign-in sets an HttpOnly SameSite=Strict cookie and answers the user and CSRF token', async () => {
  const s = await srv.signIn('cmd103');
  assert.match(s.setCookie, /^muster_session=[a-z2-7]{52};/);
  assert.match(s.setCookie, /HttpOnly/);
  assert.match(s.setCookie, /SameSite=Strict/);
  assert.match(s.setCookie, /Max-Age=3600/);
  assert.equal(s.user.username, 'cmd103');
  assert.equal(s.user.role, 'commander');
  assert.equal(s.user.place.code, '440103');
  assert.equal(typeof s.csrf, 'string');
  assert.ok(s.csrf.length >= 32);
  const me = await srv.request('GET', '/api/v1/session', { session: s });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.username, 'cmd103');
  assert.equal(me.json.csrf, s.csrf);
});

test('sign-out needs the CSRF header, then ends the session', async () => {
  const s = await srv.signIn('staff103');
  const noHeader = await srv.request('DELETE', '/api/v1/session', {
    session: { cookie: s.cookie },
  });
  assertBareError(noHeader, 403);
  const wrong = await srv.request('DELETE', '/api/v1/session', {
    session: s,
    headers: { 'X-CSRF-Token': 'A'.repeat(s.csrf.length) },
  });
  assertBareError(wrong, 403);
  // Still signed in after both refusals.
  assert.equal((await srv.request('GET', '/api/v1/session', { session: s })).status, 200);
  const out = await srv.request('DELETE', '/api/v1/session', { session: s });
  assert.equal(out.status, 204, out.text);
  assert.match(out.headers.get('set-cookie'), /^muster_session=;.*Max-Age=0/);
  const after = await srv.request('GET', '/api/v1/session', { session: s });
  assertBareError(after, 401);
});

test('a wrong password answers 401 without saying which part was wrong', async () => {
  const bad = await srv.request('POST', '/api/v1/session', {
    body: { username: 'operator1', password: 'not-the-password-at-all' },
  });
  assertBareError(bad, 401);
  assert.equal(bad.headers.get('set-cookie'), null);
  const unknown = await srv.request('POST', '/api/v1/session', {
    body: { username: 'nobody-here', password: 'not-the-password-at-all' },
  });
  assertBareError(unknown, 401);
  assert.equal(unknown.json.error.message, bad.json.error.message);
});

test('no cookie, a made-up cookie: 401', async () => {
  assertBareError(await srv.request('GET', '/api/v1/session'), 401);
  assertBareError(
    await srv.request('GET', '/api/v1/places/440103', {
      headers: { Cookie: `muster_session=${'a'.repeat(52)}` },
    }),
    401,
  );
  assertBareError(
    await srv.request('GET', '/api/v1/places/440103', {
      headers: { Cookie: 'muster_session=garbage' },
    }),
    401,
  );
});

test('an expired session answers 401', async () => {
  const s = await srv.signIn('grid1');
  assert.equal((await srv.request('GET', '/api/v1/session', { session: s })).status, 200);
  // Nobody waits an hour: the session's expiry is moved into the past in the database.
  sql(
    srv.db,
    "UPDATE sessions SET expires = CAST(strftime('%s','now') AS INTEGER) - 1 " +
      "WHERE user_id = (SELECT id FROM users WHERE username = 'grid1')",
  );
  // A change made by another process reaches the server's threads within a second (each
  // remembers a session it accepted for that long, src/auth/sessions.c).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assertBareError(await srv.request('GET', '/api/v1/session', { session: s }), 401);
  assertBareError(await srv.request('GET', `/api/v1/places/${srv.places.grid}`, { session: s }), 401);
});

test('malformed JSON answers 400', async () => {
  for (const raw of [
    '{',
    '{"username": "a", "password": }',
    'null',
    '[]',
    '"text"',
    '',
    '{"username":"admin","password":"x"} trailing',
    '\u0000\u0001',
  ]) {
    const r = await srv.request('POST', '/api/v1/session', {
      raw,
      headers: { 'Content-Type': 'application/json' },
    });
    assertBareError(r, 400);
  }
});

test('wrong types answer 400 naming the field', async () => {
  const cases = [
    [{ username: 5, password: 'correct-horse-battery-staple' }, 'username'],
    [{ username: 'cmd103', password: ['x'] }, 'password'],
    [{ username: null, password: 'x' }, 'username'],
    [{ username: 'cmd103', password: { a: 1 } }, 'password'],
    [{ username: 'cmd103' }, 'password'],
    [{ password: 'correct-horse-battery-staple' }, 'username'],
    [{ username: '', password: 'correct-horse-battery-staple' }, 'username'],
  ];
  for (const [body, field] of cases) {
    const r = await srv.request('POST', '/api/v1/session', { body });
    assertBareError(r, 400);
    assert.equal(r.json.error.field, field, `${JSON.stringify(body)} → ${r.text}`);
  }
});

test('unknown fields in the sign-in body answer 400', async () => {
  const r = await srv.request('POST', '/api/v1/session', {
    body: { username: 'cmd103', password: 'correct-horse-battery-staple', remember: true },
  });
  assertBareError(r, 400);
  assert.equal(r.json.error.field, 'remember');
});

test('a body over the limit (1 MiB) answers 413', async () => {
  const big = JSON.stringify({ username: 'cmd103', password: 'x'.repeat(1_100_000) });
  const r = await srv.request('POST', '/api/v1/session', {
    raw: big,
    headers: { 'Content-Type': 'application/json' },
  });
  assertBareError(r, 413);
  // Just under the limit is read (and refused for its content, not its size).
  const ok = JSON.stringify({ username: 'cmd103', password: 'x'.repeat(1_000_000) });
  const r2 = await srv.request('POST', '/api/v1/session', {
    raw: ok,
    headers: { 'Content-Type': 'application/json' },
  });
  assertBareError(r2, 400);
  assert.equal(r2.json.error.field, 'password');
});

test('the server still answers after all of it', async () => {
  const r = await srv.request('GET', '/healthz');
  assert.equal(r.status, 200);
  srv.assertClean();
});
