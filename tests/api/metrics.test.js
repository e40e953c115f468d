// /metrics is what Prometheus can scrape: after requests of every kind (matched and
// unmatched routes, a refused and an accepted sign-in, a write), the text passes
// `promtool check metrics` (Debian's prometheus package; scripts/deps.sh installs it),
// and each family has HELP and TYPE, counters end in _total, histograms are whole.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { start, finish } = require('./lib/server.js');

let srv;
let text;

before(async () => {
  srv = await start();
  const admin = await srv.as('admin');
  const wrong = await srv.request('POST', '/api/v1/session', {
    body: { username: 'cmd103', password: 'not-the-password' },
  });
  assert.equal(wrong.status, 401, wrong.text);
  for (const [who, p] of [
    ['cmd103', `/api/v1/places/${srv.places.district}`],
    ['cmd103', `/api/v1/places/${srv.places.other}`], // outside cmd103's district: 403
    ['admin', '/api/v1/audit?limit=5'],
  ]) {
    await srv.get(who, p);
  }
  await srv.request('GET', '/healthz');
  await srv.request('GET', '/api/v1/no-such-route');
  await srv.request('DELETE', '/api/v1/session', { session: admin });
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  text = r.text;
});
after(async () => finish(srv));

test('GET /metrics passes `promtool check metrics`', () => {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') {
    assert.fail('promtool is not installed: `apt-get install prometheus` (scripts/deps.sh does)');
  }
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `promtool check metrics exited ${r.status}:\n${r.stdout}${r.stderr}`);
});

// Parses the exposition text into families: name -> {help, type, samples[]}.
function families(body) {
  const fams = new Map();
  const fam = (name) => {
    if (!fams.has(name)) fams.set(name, { help: null, type: null, samples: [] });
    return fams.get(name);
  };
  assert.ok(body.endsWith('\n'), 'the text does not end with a newline');
  for (const line of body.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP (\S+) (.+)$/.exec(line))) {
      assert.equal(fam(m[1]).help, null, `HELP twice for ${m[1]}`);
      fam(m[1]).help = m[2];
    } else if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.equal(fam(m[1]).type, null, `TYPE twice for ${m[1]}`);
      fam(m[1]).type = m[2];
    } else if ((m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line))) {
      const labels = {};
      for (const l of (m[2] || '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      const base = m[1].replace(/_(bucket|sum|count)$/, '');
      const owner = fams.has(m[1]) || !fams.has(base) ? m[1] : base;
      fam(owner).samples.push({ name: m[1], labels, value: Number(m[3]) });
    } else {
      assert.fail(`a line that is neither a comment nor a sample: ${JSON.stringify(line)}`);
    }
  }
  return fams;
}

test('every metric: muster_ prefix, HELP and TYPE, _total on counters only, units', () => {
  const fams = families(text);
  assert.ok(fams.size >= 10, `only ${fams.size} metric families`);
  for (const [name, f] of fams) {
    assert.match(name, /^muster_[a-z0-9_]+$/, `${name}: not a muster_ snake_case name`);
    assert.ok(f.help, `${name}: no # HELP`);
    assert.ok(f.type, `${name}: no # TYPE`);
    if (f.type === 'counter') assert.match(name, /_total$/, `${name}: a counter without _total`);
    else assert.doesNotMatch(name, /_total$/, `${name}: a ${f.type} named _total`);
    // Base units only (seconds, bytes), never ms / kb / an average.
    assert.doesNotMatch(
      name,
      /_(ms|millis|milliseconds|us|kb|mb|minutes|hours|mean|avg|average)(_|$)/,
      `${name}: not a base unit`,
    );
    for (const s of f.samples) assert.ok(Number.isFinite(s.value), `${s.name}: ${s.value}`);
  }
});

test('the request counter counts what was asked, by route and status', () => {
  const f = families(text).get('muster_http_requests_total');
  assert.equal(f.type, 'counter');
  const count = (route, status) =>
    f.samples.filter((s) => s.labels.route === route && s.labels.status === status).reduce((a, s) => a + s.value, 0);
  assert.equal(count('/api/v1/places/{code}', '200'), 1, text);
  assert.equal(count('/api/v1/places/{code}', '403'), 1, text);
  assert.equal(count('/api/v1/session', '401'), 1, text);
  assert.ok(count('other', '404') >= 1, text);
  assert.equal(families(text).get('muster_signin_failures_total').samples[0].value, 1);
});

test('the latency histogram: cumulative le buckets up to +Inf, _sum and _count per route', () => {
  const f = families(text).get('muster_http_request_duration_seconds');
  assert.equal(f.type, 'histogram');
  const series = new Map();
  for (const s of f.samples) {
    const key = `${s.labels.method} ${s.labels.route}`;
    if (!series.has(key)) series.set(key, { buckets: [], sum: null, count: null });
    const x = series.get(key);
    if (s.name.endsWith('_bucket')) {
      assert.ok(s.labels.le, `${key}: a bucket without le`);
      x.buckets.push([s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value]);
    } else if (s.name.endsWith('_sum')) x.sum = s.value;
    else if (s.name.endsWith('_count')) x.count = s.value;
    else assert.fail(`${s.name} in the histogram family`);
  }
  assert.ok(series.has('GET /api/v1/places/{code}'), [...series.keys()].join(', '));
  for (const [key, x] of series) {
    assert.ok(x.buckets.length >= 2, key);
    assert.equal(x.buckets.at(-1)[0], Infinity, `${key}: the last bucket is not +Inf`);
    for (let i = 1; i < x.buckets.length; i++) {
      assert.ok(x.buckets[i][0] > x.buckets[i - 1][0], `${key}: le not increasing`);
      assert.ok(x.buckets[i][1] >= x.buckets[i - 1][1], `${key}: buckets not cumulative`);
    }
    assert.equal(x.count, x.buckets.at(-1)[1], `${key}: _count differs from the +Inf bucket`);
    assert.ok(x.sum !== null && x.sum >= 0, `${key}: no _sum`);
  }
  assert.equal(series.get('GET /api/v1/places/{code}').count, 2);
});
