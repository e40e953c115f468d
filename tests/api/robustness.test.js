// The server under abuse and at the end of its life: a bounded loop of random garbage
// requests (methods, paths, headers, bodies, and raw bytes on sockets) after which it
// still answers; /metrics; and a graceful stop on SIGTERM with requests in flight.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { start, finish, muster } = require('./lib/server.js');

const REQUESTS = Number(process.env.GARBAGE_REQUESTS || 2000);
const SECONDS = Number(process.env.GARBAGE_SECONDS || 90);
const SEED = Number(process.env.GARBAGE_SEED || Date.now() % 1_000_000);

let srv;
let admin; // for the checks after the garbage
let noise; // the session the garbage carries (it may well sign itself out)
before(async () => {
  srv = await start();
  // Signed in before the garbage: random sign-in bodies may well trip the throttle.
  admin = await srv.signIn('admin');
  noise = await srv.signIn('admin');
});
after(async () => finish(srv));

// mulberry32: a small seeded generator, so that a failing run can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (a) => a[int(a.length)];
  const chance = (p) => rand() < p;
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const ascii = (n) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const unicode = (n) =>
    Array.from({ length: n }, () =>
      pick(['名', '张', 'é', '\u202e', '😀', 'a', '0', '%', '\\', '"', "'", ';', ' ', '\u00a0']),
    ).join('');
  const pct = (n) => Array.from({ length: n }, () => `%${int(256).toString(16).padStart(2, '0')}`).join('');
  const P = srv.places;
  const value = () =>
    pick([
      '',
      '0',
      '-1',
      '1',
      '1000',
      '1001',
      '99999999999999999999',
      '1e309',
      'NaN',
      'null',
      'true',
      P.district,
      P.grid,
      P.city,
      '2955.5',
      '1.1',
      '0.0',
      '-5.-5',
      '9223372036854775807.1',
      ascii(int(40)),
      encodeURIComponent(unicode(int(20))),
      pct(int(10)),
      'x'.repeat(int(5000)),
      "' OR 1=1 --",
      '%00',
      '%2e%2e%2f',
      encodeURIComponent(bytes(10).toString('latin1')),
    ]);
  const path = () => {
    const base = pick([
      '/api/v1/session',
      '/api/v1/audit',
      `/api/v1/places/${P.district}`,
      `/api/v1/places/${P.grid}/children`,
      '/api/v1/people',
      '/api/v1/people/1',
      '/api/v1/people/9',
      '/api/v1/codes/9WBEM2K9ZGKFM5NEYA32B3P1HG',
      '/healthz',
      '/metrics',
      '/',
      '/api',
      '/api/v1/',
      '/api/v1/places/',
      '/api/v1/places//children',
      '/api/v1/people/',
      '/api/v1/codes/',
      '/bench/hello',
      '/../../etc/passwd',
      '//api//v1//people',
      '/api/v1/places/%00',
      `/api/v1/places/${pct(int(8))}`,
      `/api/v1/people/${value()}`,
      `/api/v1/codes/${value()}`,
      `/api/v1/places/${value()}`,
      `/api/v1/places/${value()}/children`,
      `/${ascii(int(30))}`,
    ]);
    let p = base.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
    if (chance(0.2)) p += '/' + pick([value(), 'children', '..', '.', '', pct(3)]);
    if (chance(0.6)) {
      const keys = ['place', 'q', 'cursor', 'limit', 'user', 'record', 'since', 'until', ascii(3), ''];
      const n = 1 + int(4);
      p +=
        '?' +
        Array.from({ length: n }, () => `${encodeURIComponent(pick(keys))}=${value()}`).join(
          pick(['&', '&&', ';', '']),
        );
    }
    if (chance(0.02)) p += '/' + 'a'.repeat(int(20000));
    return p.replace(/[^\x21-\x7e]/g, '');
  };
  const json = (depth = 0) => {
    switch (int(depth > 3 ? 5 : 8)) {
      case 0:
        return null;
      case 1:
        return int(2) === 0;
      case 2:
        return pick([0, -1, 1e308, 2 ** 63, -(2 ** 63), 0.5, 123456789012345]);
      case 3:
        return unicode(int(30));
      case 4:
        return ascii(int(30));
      case 5:
        return Array.from({ length: int(5) }, () => json(depth + 1));
      default: {
        const o = {};
        for (let i = 0; i < int(5); i++)
          o[pick(['username', 'password', 'place', 'q', ascii(5), ''])] = json(depth + 1);
        return o;
      }
    }
  };
  const body = () => {
    switch (int(9)) {
      case 0:
        return undefined;
      case 1:
        return bytes(int(2000));
      case 2:
        return Buffer.from(JSON.stringify(json()));
      case 3:
        return Buffer.from(
          JSON.stringify({ username: pick(['admin', 'cmd103', ascii(10)]), password: ascii(int(30)) }),
        );
      case 4:
        return Buffer.from('['.repeat(int(5000)) + ']'.repeat(int(5000)));
      case 5:
        return Buffer.from(JSON.stringify(json()).slice(0, int(50)));
      case 6:
        return Buffer.from('{"username":"\\u0000admin","password":"\\ud800"}');
      case 7:
        return Buffer.alloc(int(3) === 0 ? 1_100_000 : int(100_000), 0x61);
      default:
        return Buffer.from(unicode(int(100)));
    }
  };
  const headers = () => {
    const h = {};
    if (chance(0.5))
      h.Cookie = chance(0.7)
        ? noise.cookie
        : pick([
            `muster_session=${ascii(52)}`,
            'muster_session=',
            `a=b; muster_session=${noise.cookie.split('=')[1]}`,
            ascii(int(200)),
          ]);
    if (chance(0.4)) h['X-CSRF-Token'] = chance(0.6) ? noise.csrf : ascii(int(60));
    if (chance(0.3))
      h['Content-Type'] = pick([
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        ascii(20),
      ]);
    if (chance(0.2))
      h.Authorization = pick([
        `Bearer ${ascii(52)}`,
        'Bearer ',
        'Basic YWRtaW46YWRtaW4=',
        ascii(int(100)),
        `Bearer ${srv.tokens.site}`,
        `Bearer ${srv.tokens.lab}`,
      ]);
    if (chance(0.1)) h[ascii(1 + int(10)).replace(/[^A-Za-z0-9-]/g, 'x')] = ascii(int(1000));
    if (chance(0.02)) h['X-Big'] = 'b'.repeat(int(100_000));
    return h;
  };
  // Mostly GET: the routes are reads, and handlers are what the garbage should reach.
  const method = () =>
    chance(0.6)
      ? 'GET'
      : pick([
          'POST',
          'POST',
          'PUT',
          'PATCH',
          'DELETE',
          'DELETE',
          'HEAD',
          'OPTIONS',
          'TRACE',
          'PROPFIND',
          'BREW',
          'M-SEARCH',
        ]);
  const raw = () =>
    pick([
      () => bytes(int(3000)),
      () =>
        Buffer.from(
          `${method()} ${path()} HTTP/1.1\r\nHost: x\r\nContent-Length: ${int(100000)}\r\n\r\n${ascii(int(100))}`,
        ),
      () =>
        Buffer.from(
          `GET ${path()} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${pick(['zz\r\n', 'ffffffffffffffff\r\n', '5\r\nabc\r\n0\r\n\r\n'])}`,
        ),
      () => Buffer.from(`GET / HTTP/9.9\r\n${'X: y\r\n'.repeat(int(5000))}\r\n`),
      () => Buffer.from(`${ascii(int(200))}\r\n\r\n`),
      () =>
        Buffer.from(
          `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 500\r\n\r\n{"a":1}`,
        ),
      () =>
        Buffer.from(
          `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n${bytes(50).toString('latin1')}`,
        ),
    ])();
  return { method, path, headers, body, raw, int, chance };
}

// One request through node:http (which allows odd methods and bodies on GET).
function send(opts, body) {
  return new Promise((resolve) => {
    let req;
    try {
      req = http.request({ host: '127.0.0.1', port: srv.port, agent: false, ...opts }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => resolve({ error: e }));
      });
    } catch (e) {
      resolve({ skipped: e }); // node refused to build it (bad header characters): not sent
      return;
    }
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e }));
    req.end(body);
  });
}

// Raw bytes on a socket; waits briefly for an answer or the close, then hangs up.
function sendRaw(buf) {
  return new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1');
    const done = () => {
      s.destroy();
      resolve();
    };
    s.on('error', done);
    s.on('close', done);
    s.on('data', () => {});
    s.setTimeout(300, done);
    s.write(buf, () => s.end());
  });
}

test(`${REQUESTS} random garbage requests (seed ${SEED}), then the server still answers`, async (t) => {
  const g = generator(prng(SEED));
  const deadline = Date.now() + SECONDS * 1000;
  const statuses = new Map();
  let sent = 0;
  let failures = [];
  const worker = async () => {
    while (sent < REQUESTS && Date.now() < deadline) {
      const n = sent++;
      if (g.chance(0.08)) {
        await sendRaw(g.raw());
        continue;
      }
      const method = g.method();
      const p = g.path();
      const r = await send({ method, path: p, headers: g.headers() }, g.body());
      if (r.skipped) continue;
      if (r.error) {
        // The server may hang up on what it refuses to read; it must not die. Headers
        // past libmicrohttpd's 64 KiB connection memory, sent with a body, end either in a
        // reset or in a close seen before any answer (HPE_CLOSED_CONNECTION; seed 729017).
        if (
          !['ECONNRESET', 'EPIPE', 'HPE_INVALID_CONSTANT', 'HPE_INVALID_CHUNK_SIZE', 'HPE_CLOSED_CONNECTION'].includes(
            r.error.code,
          )
        ) {
          failures.push(`#${n} ${method} ${p.slice(0, 200)}: ${r.error.code || r.error.message}`);
        }
        continue;
      }
      statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
      if (r.status >= 500) failures.push(`#${n} ${method} ${p.slice(0, 200)}: ${r.status} ${r.body.slice(0, 300)}`);
      const type = r.headers['content-type'] || '';
      if (type.includes('json') && method !== 'HEAD') {
        let j;
        try {
          j = JSON.parse(r.body);
        } catch {
          failures.push(`#${n} ${method} ${p.slice(0, 200)}: unparsable JSON ${r.body.slice(0, 200)}`);
          continue;
        }
        if (
          r.status >= 400 &&
          !(j && j.error && typeof j.error.code === 'string' && typeof j.error.message === 'string')
        ) {
          failures.push(
            `#${n} ${method} ${p.slice(0, 200)}: ${r.status} without an error object: ${r.body.slice(0, 200)}`,
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.diagnostic(`sent ${sent}; statuses ${JSON.stringify([...statuses].sort((a, b) => a[0] - b[0]))}`);
  const health = await srv.request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });
  const me = await srv.request('GET', '/api/v1/session', { session: admin });
  assert.equal(me.status, 200, me.text);
  const p = await srv.request('GET', `/api/v1/places/${srv.places.district}`, { session: admin });
  assert.equal(p.status, 200);
  srv.assertClean();
  assert.ok(sent >= Math.min(REQUESTS, 200), `only ${sent} requests sent`);
  assert.deepEqual(failures.slice(0, 20), [], `seed ${SEED}; statuses ${JSON.stringify([...statuses])}`);
});

test('GET /metrics: Prometheus text with requests per route and status', async () => {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /^# TYPE muster_http_requests_total counter$/m);
  assert.match(r.text, /^muster_http_requests_total\{[^}]*route="\/api\/v1\/places\/\{code\}"[^}]*\} \d+/m);
  assert.match(r.text, /^muster_signin_failures_total \d+/m);
  assert.match(r.text, /^muster_writer_queue_depth \d+/m);
  // No personal data and no session material in the metrics.
  assert.ok(!r.text.includes(admin.csrf));
});

test('SIGTERM with requests in flight: they finish, the server exits 0, the audit chain holds', async () => {
  // Name scans over the whole city: each examines every resident, so they take a while.
  // Eight, not more: the server must finish them all before it exits, within stop()'s 30 s,
  // also under ASan on a loaded machine (24 took over 30 s there at load 12).
  const slow = Array.from({ length: 8 }, (_, i) =>
    srv
      .request(
        'GET',
        `/api/v1/people?place=${srv.places.city}&q=${encodeURIComponent(i % 2 ? '无此名' : '张')}&limit=1000`,
        { session: admin },
      )
      .catch((e) => ({ error: e })),
  );
  await new Promise((res) => setTimeout(res, 40));
  srv.proc.kill('SIGTERM');
  const results = await Promise.all(slow);
  await srv.stop();
  const done = results.filter((r) => !r.error);
  assert.ok(done.length >= 1, 'no request in flight finished');
  for (const r of done) {
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.people));
  }
  const v = muster(['audit', 'verify', '--db', srv.db]);
  assert.equal(v.status, 0, `${v.stdout}\n${v.stderr}`);
});
