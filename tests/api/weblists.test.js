// The read routes the web app needs beyond the screening chain: the sites a sampler may
// pick (by jurisdiction), the labs and a lab's backlog (barcodes only, a lab token only
// for its own lab), a round's day (samples per hour and today in the city's time zone,
// recalls, positives) and a person's printable QR code (jurisdiction and audit).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, finish, sql, assertBareError } = require('./lib/server.js');

let srv;
let round;
let people; // two people of the site's community: {id, code, name}

async function post(who, url, body) {
  return srv.request('POST', url, { body, session: await srv.as(who) });
}

before(async () => {
  srv = await start();
  const rows = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.community}%' ORDER BY p.id LIMIT 2`,
  );
  assert.equal(rows.length, 2);
  people = [];
  for (const { id } of rows) {
    const r = await srv.get('admin', `/api/v1/people/${id}`);
    assert.equal(r.status, 200, r.text);
    people.push({ id, code: r.json.person.code, name: r.json.person.name });
  }
  const r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '网页', pool: 5 });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
});
after(async () => finish(srv));

test("GET /sites: the sites inside the caller's jurisdiction, a site token its own", async () => {
  let r = await post('staff103', '/api/v1/sites', {
    code: 'S-OTHER',
    place: srv.places.otherGrid,
    name: '天河点',
    desks: 2,
  });
  assert.equal(r.status, 403, 'staff of 440103 adds no site in 440106');
  r = await post('admin', '/api/v1/sites', { code: 'S-OTHER', place: srv.places.otherGrid, name: '天河点', desks: 2 });
  assert.equal(r.status, 201, r.text);

  const codes = async (who, q = '') => {
    const res = await srv.get(who, `/api/v1/sites${q}`);
    assert.equal(res.status, 200, res.text);
    return res.json.sites.map((s) => s.code).sort();
  };
  assert.deepEqual(await codes('admin'), ['S-OTHER', 'S1']);
  assert.deepEqual(await codes('sampler1'), ['S1']);
  assert.deepEqual(await codes('cmd106'), ['S-OTHER']);
  assert.deepEqual(await codes('admin', `?place=${srv.places.other}`), ['S-OTHER']);
  assert.deepEqual(await codes('sampler1', `?place=${srv.places.other}`), [], 'a place outside lists nothing');
  r = await srv.get('admin', '/api/v1/sites?place=NOPE');
  assertBareError(r, 404);
  r = await srv.request('GET', '/api/v1/sites', { token: srv.tokens.site });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.sites.map((s) => s.code),
    ['S1'],
  );
  assert.equal(r.json.sites[0].place, srv.places.community);
  assert.equal(r.json.sites[0].desks, 4);
  assertBareError(await srv.get('grid1', '/api/v1/sites'), 403);
  assertBareError(await srv.request('GET', '/api/v1/sites', { token: srv.tokens.lab }), 403);
});

test('GET /labs and /labs/{code}/backlog: barcodes waiting, oldest first, never a name', async () => {
  let r = await post('admin', '/api/v1/labs', { code: 'L9', name: '九号实验室', capacity: 1000 });
  assert.equal(r.status, 201, r.text);
  r = await srv.request('GET', '/api/v1/labs', { token: srv.tokens.lab });
  assert.deepEqual(
    r.json.labs.map((l) => l.code),
    ['L1'],
    'a lab token sees its own lab',
  );
  r = await srv.get('lab1', '/api/v1/labs');
  assert.deepEqual(
    r.json.labs.map((l) => l.code),
    ['L1', 'L9'],
  );
  assertBareError(await srv.get('grid1', '/api/v1/labs'), 403);

  // Two tubes through the site token: sealed, received by L1.
  const scans = people.map((p, i) => ({
    scan_id: crypto.randomUUID(),
    round,
    site: 'S1',
    tube: `WB-${i}`,
    person: p.code,
    at: new Date(Date.now() - (2 - i) * 1000).toISOString(),
  }));
  r = await srv.request('POST', '/api/v1/scans', { token: srv.tokens.site, body: { scans } });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  for (const t of ['WB-0', 'WB-1']) {
    r = await srv.request('POST', `/api/v1/tubes/${t}/seal`, { token: srv.tokens.site, body: {} });
    assert.equal(r.status, 200, r.text);
  }
  r = await srv.request('GET', '/api/v1/labs/L1/backlog', { token: srv.tokens.lab });
  assert.equal(r.json.waiting, 0);
  assert.equal(r.json.oldest_received_at, null);
  r = await srv.request('POST', '/api/v1/labs/L1/receipts', { token: srv.tokens.lab, body: { tubes: ['WB-0'] } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('POST', '/api/v1/labs/L1/receipts', { token: srv.tokens.lab, body: { tubes: ['WB-1'] } });
  assert.equal(r.status, 200, r.text);

  r = await srv.request('GET', '/api/v1/labs/L1/backlog', { token: srv.tokens.lab });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.lab.code, 'L1');
  assert.equal(r.json.waiting, 2);
  assert.deepEqual(
    r.json.tubes.map((t) => [t.barcode, t.samples, t.round]),
    [
      ['WB-0', 1, round],
      ['WB-1', 1, round],
    ],
  );
  for (const p of people) assert.ok(!r.text.includes(p.name), 'the backlog names nobody');
  r = await srv.request('GET', '/api/v1/labs/L1/backlog?limit=1', { token: srv.tokens.lab });
  assert.equal(r.json.waiting, 2);
  assert.equal(r.json.tubes.length, 1);
  assertBareError(await srv.request('GET', '/api/v1/labs/L9/backlog', { token: srv.tokens.lab }), 403);
  assertBareError(await srv.get('lab1', '/api/v1/labs/NOPE/backlog'), 404);
  assertBareError(await srv.get('lab1', '/api/v1/labs/L1/backlog?limit=0'), 400);

  // A result takes the tube out of the backlog.
  r = await srv.request('POST', '/api/v1/results', {
    token: srv.tokens.lab,
    body: {
      results: [{ tube: 'WB-0', result: 'negative', ct_orf1ab: null, ct_n: null, at: new Date().toISOString() }],
    },
  });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  r = await srv.get('lab1', '/api/v1/labs/L1/backlog');
  assert.equal(r.json.waiting, 1);
  assert.deepEqual(
    r.json.tubes.map((t) => t.barcode),
    ['WB-1'],
  );
});

test("GET /rounds/{id}/day: 24 hours, today's samples in +08:00, recalls by state", async () => {
  const r = await srv.get('cmd103', `/api/v1/rounds/${round}/day`);
  assert.equal(r.status, 200, r.text);
  const d = r.json;
  assert.equal(d.round, round);
  assert.equal(d.tz, '+08:00');
  assert.equal(d.hours.length, 24);
  const total = d.hours.reduce((a, h) => a + h.samples, 0);
  assert.equal(total, 2, 'the two scans of this file, in the last 24 hours');
  assert.equal(d.hours[23].samples + d.hours[22].samples, 2, 'in the current or the previous hour');
  // Midnight in Guangzhou is 16:00 UTC.
  assert.match(d.day_start, /T16:00:00Z$/);
  const sinceMidnight = Date.now() - Date.parse(d.day_start);
  assert.ok(sinceMidnight >= 0 && sinceMidnight < 86400e3);
  assert.equal(d.samples_today, sinceMidnight > 10e3 ? 2 : d.samples_today);
  assert.deepEqual(d.recalls, { pending: 0, sampled: 0, negative: 0, positive: 0 });
  assert.equal(d.positives_today, 0);
  assertBareError(await srv.get('cmd106', `/api/v1/rounds/${round}/day`), 403);
  assertBareError(await srv.get('admin', '/api/v1/rounds/999999/day'), 404);
});

test('GET /people/{id}/qr.svg: an SVG of the personal code, jurisdiction, audit', async () => {
  const p = people[0];
  const res = await srv.get('cmd103', `/api/v1/people/${p.id}/qr.svg`);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^image\/svg\+xml/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \d+"/);
  assert.ok(res.text.includes(p.code), 'the code is printed beneath');
  assert.ok((res.text.match(/h1v1h-1z/g) || []).length > 100, 'dark modules drawn');
  assert.ok(!res.text.includes(p.name), 'no name in the QR page');
  assertBareError(await srv.get('cmd106', `/api/v1/people/${p.id}/qr.svg`), 403, [p.code]);
  assertBareError(await srv.get('lab1', `/api/v1/people/${p.id}/qr.svg`), 403, [p.code]);
  assertBareError(await srv.get('admin', '/api/v1/people/x/qr.svg'), 400);
  let entries = [];
  for (let i = 0; i < 50 && !entries.some((e) => e.actor === 'cmd103'); i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${p.id}`);
    entries = a.json.entries;
    if (!entries.some((e) => e.actor === 'cmd103')) await new Promise((res2) => setTimeout(res2, 50));
  }
  assert.ok(
    entries.some((e) => e.actor === 'cmd103' && e.action.includes('qr.svg')),
    JSON.stringify(entries),
  );
});
