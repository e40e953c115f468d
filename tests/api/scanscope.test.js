// Issue 11, item 5: a scan needs the site inside the round's scope and the person inside
// the round's scope; a person outside it answers exactly as an unknown one, and a site
// of one district scans nobody into another district's round.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, finish, sql } = require('./lib/server.js');

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

async function codeOf(district) {
  const id = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${district}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  return (await srv.get('admin', `/api/v1/people/${id}`)).json.person.code;
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
  // A resident inside both is scanned as before.
  r = await post({ token: srv.tokens.site }, '/api/v1/scans', {
    scans: [scan(round103, 'Y-3', await codeOf(srv.places.district))],
  });
  assert.equal(r.json.results[0].status, 'ok', r.text);
});
