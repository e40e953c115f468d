// Issue 11, items 5 and 9: a scan needs the site inside the round's scope and the person
// inside the site's place (its jurisdiction, which lies inside the round's scope); a
// person outside it answers exactly as an unknown one — a resident of the next community
// too, sampled or not — and a site of one district scans nobody into another district's
// round. An accepted scan names its person masked, audited as a read of that person.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

// The personal code of the first person (by id) living under place, but not under not.
async function codeOf(place, not = '-') {
  return (await personOf(place, not)).code;
}
async function personOf(place, not = '-') {
  const id = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${place}%' AND h.code NOT LIKE '${not}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  return (await srv.get('admin', `/api/v1/people/${id}`)).json.person;
}

const samples = () => sql(srv.db, 'SELECT count(*) AS n FROM samples')[0].n;
const scan = (round, tube, person) => ({
  scan_id: crypto.randomUUID(),
  round,
  site: 'S1',
  tube,
  person,
  at: new Date().toISOString(),
});

test("a site of one district scans nobody into another district's round", async () => {
  // S1 lies in 440103; the round covers 440106 only, the resident lives there.
  let r = await post('admin', '/api/v1/rounds', { scope: srv.places.other, name: '海珠一轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round106 = r.json.round.id;
  const resident = await codeOf(srv.places.other);
  const n0 = samples();
  r = await post({ token: srv.tokens.site }, '/api/v1/scans', { scans: [scan(round106, 'X-106', resident)] });
  assert.equal(r.status, 200, r.text);
  const x = r.json.results[0];
  assert.equal(x.status, 'error', r.text);
  assert.equal(x.repeat, undefined, 'nothing said of whether they were sampled');
  assert.equal(samples(), n0);
  // Nor a sampler of 440103 at S1.
  r = await post('sampler1', '/api/v1/scans', { scans: [scan(round106, 'X-106B', resident)] });
  assert.equal(r.json.results[0].status, 'error', r.text);
  assert.equal(samples(), n0);
});

test('a person outside the round answers exactly as an unknown person', async () => {
  let r = await post('admin', '/api/v1/rounds', { scope: srv.places.district, name: '越秀一轮', pool: 5 });
  const round103 = r.json.round.id;
  const outsider = await codeOf(srv.places.other);
  const n0 = samples();
  r = await post({ token: srv.tokens.site }, '/api/v1/scans', {
    scans: [scan(round103, 'Y-1', outsider), scan(round103, 'Y-2', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ')],
  });
  assert.equal(r.status, 200, r.text);
  const [a, b] = r.json.results;
  assert.equal(a.status, 'error');
  assert.deepEqual(a.error, b.error, r.text);
  assert.equal(a.error.field, 'person');
  assert.equal(a.error.code, 'not_found');
  assert.equal(samples(), n0);
  // A resident of the site's community is scanned as before.
  r = await post({ token: srv.tokens.site }, '/api/v1/scans', {
    scans: [scan(round103, 'Y-3', await codeOf(srv.places.community))],
  });
  assert.equal(r.json.results[0].status, 'ok', r.text);
});

test('a site of community A answers a resident of community B (same district, same round) as unknown', async () => {
  let r = await post('admin', '/api/v1/rounds', { scope: srv.places.district, name: '越秀二轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round = r.json.round.id;
  // B: another community of the district; S1 and sampler1 belong to community A.
  const neighbour = await personOf(srv.places.district, srv.places.community);
  const unknown = 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ';
  const n0 = samples();
  for (const who of [{ token: srv.tokens.site }, 'sampler1']) {
    r = await post(who, '/api/v1/scans', {
      scans: [scan(round, 'Z-1', neighbour.code), scan(round, 'Z-1', neighbour.id_number), scan(round, 'Z-1', unknown)],
    });
    assert.equal(r.status, 200, r.text);
    const [a, b, c] = r.json.results;
    for (const x of [a, b, c]) {
      assert.equal(x.status, 'error', r.text);
      assert.deepEqual(Object.keys(x).sort(), ['error', 'scan_id', 'status'], r.text);
    }
    assert.deepEqual(a.error, c.error, 'a neighbour by code answers as an unknown code');
    assert.deepEqual(b.error, c.error, 'by ID number too');
    assert.equal(c.error.field, 'person');
  }
  assert.equal(samples(), n0);
  // Sampled at home (a site of community B), the neighbour is still unknown at A's site:
  // nothing says they exist or were sampled.
  r = await post('admin', '/api/v1/sites', {
    code: 'SB',
    place: neighbour.household.code.slice(0, 12),
    name: 'B点',
    desks: 1,
  });
  assert.equal(r.status, 201, r.text);
  let tokenB;
  srv = await restart(srv, [], () => {
    tokenB = musterOk(['token', 'issue', '--site', 'SB', '--db', srv.db]).stdout.trim().split('\n').pop().trim();
  });
  const home = { ...scan(round, 'Z-B', neighbour.code), site: 'SB' };
  r = await post({ token: tokenB }, '/api/v1/scans', { scans: [home] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  r = await post({ token: srv.tokens.site }, '/api/v1/scans', {
    scans: [scan(round, 'Z-2', neighbour.code), scan(round, 'Z-2', unknown)],
  });
  assert.deepEqual(r.json.results[0].error, r.json.results[1].error, r.text);
  assert.equal(r.json.results[0].repeat, undefined);
  assert.equal(samples(), n0 + 1);
});

test('an accepted scan names its person masked, and is audited as a read of that person', async () => {
  let r = await post('admin', '/api/v1/rounds', { scope: srv.places.community, name: '社区一轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round = r.json.round.id;
  const p = await personOf(srv.places.community);
  const chars = [...p.name];
  const want =
    chars.length === 1
      ? '*'
      : chars.length === 2
        ? `${chars[0]}*`
        : `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
  const s = scan(round, 'N-1', p.code);
  r = await post('sampler1', '/api/v1/scans', { scans: [s] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  assert.equal(r.json.results[0].name_masked, want, r.text);
  assert.ok(!r.text.includes(p.name) || chars.length < 2, 'never the whole name');
  // The person read is durable with the scan: found by person at once.
  const reads = sql(
    srv.db,
    `SELECT actor, action, record FROM audit WHERE record = 'person:${p.id}' AND actor = 'sampler1'`,
  );
  assert.deepEqual(reads, [{ actor: 'sampler1', action: 'POST /api/v1/scans', record: `person:${p.id}` }]);
  // A duplicate (the answer lost, the scan sent again) names nobody and reads nobody.
  r = await post('sampler1', '/api/v1/scans', { scans: [s] });
  assert.equal(r.json.results[0].status, 'duplicate', r.text);
  assert.equal(r.json.results[0].name_masked, undefined);
  assert.equal(
    sql(srv.db, `SELECT count(*) AS n FROM audit WHERE record = 'person:${p.id}' AND actor = 'sampler1'`)[0].n,
    1,
  );
});
