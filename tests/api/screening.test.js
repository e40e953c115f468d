// The whole screening chain on the small test city, through the HTTP API: a round over
// district 440103, a site and a lab with their device tokens, a full 10-in-1 tube that
// seals itself, a partial tube sealed by hand, receipt, a negative and a positive
// result, the recalls on the right grids, a single-tube re-swab that resolves one,
// coverage and the roll-call exact against what the test sent, every refusal of the
// scan path answered per item with nothing written, idempotency across a restart, and
// a lab that never sees a name.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk, assertBareError } = require('./lib/server.js');

let srv;
let round; // the round's id
const tok = {}; // device tokens of site S2 and lab L2
const people = []; // {id, name, code, grid, hh} of the people sampled, in order
let outsider; // a person of district 440106 (outside the round)
const at = () => new Date().toISOString();
const sid = () => crypto.randomUUID();

// The grid code holding household id hh (household → building → compound → grid).
function gridOf(hh) {
  return sql(
    srv.db,
    'SELECT g.code FROM places h JOIN places b ON b.id = h.parent_id ' +
      'JOIN places c ON c.id = b.parent_id JOIN places g ON g.id = c.parent_id ' +
      `WHERE h.id = ${Number(hh)}`,
  )[0].code;
}

async function person(id) {
  const r = await srv.get('admin', `/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  const { name, code, phone, household } = r.json.person;
  return { id, name, code, phone, household };
}

const count = (table) => sql(srv.db, `SELECT count(*) AS n FROM ${table}`)[0].n;

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

function scan(p, tube, site = 'S2', extra = {}) {
  return { scan_id: sid(), round, site, tube, person: p.code, at: at(), ...extra };
}

before(async () => {
  srv = await start();
  // Three of the largest grid (so that its roll-call has people sampled and missing),
  // then ten of a street.
  const under = (code, n, not = '0') =>
    sql(
      srv.db,
      'SELECT p.id, p.household_id AS hh FROM ' +
        `people p JOIN places h ON h.id = p.household_id WHERE h.code LIKE '${code}%' ` +
        `AND p.id NOT IN (${not}) ORDER BY p.id LIMIT ${n}`,
    );
  const rows = under(srv.places.grid, 3);
  rows.push(...under(srv.places.street, 10, rows.map((r) => r.id).join(',')));
  assert.equal(rows.length, 13, 'the test grid and street hold at least 13 people');
  for (const row of rows) people.push({ ...(await person(row.id)), hh: row.hh, grid: gridOf(row.hh) });
  const out = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.other}%' ORDER BY p.id LIMIT 1`,
  )[0];
  outsider = await person(out.id);
});
after(async () => finish(srv));

// What the test expects of each person it touched: sampled, and the state reached.
const expect = new Map(); // id → {sampled, state: null|negative|pool_positive|positive, exempt}
function note(p, patch) {
  expect.set(p.id, { sampled: false, state: null, exempt: false, ...expect.get(p.id), ...patch });
}

// The figures the test computes for a set of people ids living under a place with n
// residents.
function figures(n, ids) {
  const f = { expected: n, sampled: 0, resulted: 0, negative: 0, pool_positive: 0, positive: 0 };
  for (const id of ids) {
    const e = expect.get(id);
    if (!e) continue;
    if (e.exempt && !e.sampled) f.expected--;
    if (e.sampled) f.sampled++;
    if (e.state) {
      f.resulted++;
      f[e.state]++;
    }
  }
  return f;
}

function peopleUnder(code) {
  return sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' + `WHERE h.code LIKE '${code}%'`,
  ).map((r) => r.id);
}
const residents = (code) => sql(srv.db, `SELECT n_people AS n FROM places WHERE code = '${code}'`)[0].n;

async function assertCoverage(code) {
  const r = await srv.get('staff103', `/api/v1/rounds/${round}/coverage?place=${code}`);
  assert.equal(r.status, 200, r.text);
  const want = figures(residents(code), peopleUnder(code));
  for (const k of Object.keys(want)) assert.equal(r.json[k], want[k], `${code} ${k}: ${r.text}`);
  assert.ok(Math.abs(r.json.coverage - (want.expected ? want.sampled / want.expected : 0)) < 1e-9);
  return r.json;
}

test('round, site and lab: created by staff, refused to others, listed by jurisdiction', async () => {
  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '第一轮全员检测', pool: 10 });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  assert.equal(r.json.round.pool, 10);
  assert.equal(r.json.round.pool_high, 1);
  assert.equal(r.json.round.scope, srv.places.district);
  assertBareError(await post('cmd106', '/api/v1/rounds', { scope: srv.places.district, name: 'x', pool: 10 }), 403);
  assertBareError(await post('grid1', '/api/v1/rounds', { scope: srv.places.grid, name: 'x', pool: 10 }), 403);
  r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: 'x', pool: 3 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'pool');
  r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: 'x', pool: 10, colour: 1 });
  assert.equal(r.json.error.field, 'colour');

  // Inside the scope (grid worker) and containing it (city commander) see it; 440106 not.
  for (const u of ['grid1', 'citycmd', 'staff103', 'admin']) {
    const l = await srv.get(u, '/api/v1/rounds');
    assert.ok(
      l.json.rounds.some((x) => x.id === round),
      `${u} lists the round`,
    );
    assert.equal((await srv.get(u, `/api/v1/rounds/${round}`)).status, 200);
  }
  assert.ok(!(await srv.get('cmd106', '/api/v1/rounds')).json.rounds.some((x) => x.id === round));
  assertBareError(await srv.get('cmd106', `/api/v1/rounds/${round}`), 403);

  // S2 belongs to the district (a district's site samples anyone living in it); S1, the
  // fixture's, to one community (it samples that community's people only).
  r = await post('staff103', '/api/v1/sites', {
    code: 'S2',
    place: srv.places.district,
    name: '二号采样点',
    desks: 2,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(
    (await post('staff103', '/api/v1/sites', { code: 'S2', place: srv.places.district, name: 'y', desks: 2 })).status,
    409,
  );
  assertBareError(
    await post('staff103', '/api/v1/sites', { code: 'S9', place: srv.places.other, name: 'y', desks: 2 }),
    403,
  );
  r = await post('admin', '/api/v1/labs', { code: 'L2', name: '二号实验室', capacity: 1000 });
  assert.equal(r.status, 201, r.text);
  assertBareError(await post('grid1', '/api/v1/labs', { code: 'L3', name: 'z', capacity: 1 }), 403);

  const issue = (args) => musterOk(['token', 'issue', ...args, '--db', srv.db]).stdout.trim();
  // (beside a running server the command is refused: issued between two servers)
  srv = await restart(srv, [], () => {
    tok.site = issue(['--site', 'S2']);
    tok.lab = issue(['--lab', 'L2']);
  });
  assert.match(tok.site, /^[a-z2-7]{52}$/);
});

let full; // the 10-in-1 tube's scans, kept for the idempotency test
let covBefore;

test('scan → seal → receive → negative and positive → recalls → single tube → resolved', async () => {
  const site = { token: tok.site };
  const lab = { token: tok.lab };
  // A full tube of ten: opened by the first scan, sealed by the tenth.
  full = people.slice(0, 10).map((p) => scan(p, 'T-FULL'));
  let r = await post(site, '/api/v1/scans', { scans: full });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    Array(10).fill('ok'),
    r.text,
  );
  assert.equal(r.json.results[0].opened, true);
  assert.deepEqual(
    r.json.results.map((x) => x.sealed),
    [...Array(9).fill(false), true],
  );
  people.slice(0, 10).forEach((p) => note(p, { sampled: true }));

  // A partial tube of three, sealed by hand.
  const part = people.slice(10, 13);
  r = await post(site, '/api/v1/scans', { scans: part.map((p) => scan(p, 'T-PART')) });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok', 'ok'],
    r.text,
  );
  assert.equal(r.json.results[2].sealed, false);
  part.forEach((p) => note(p, { sampled: true }));
  await assertCoverage(srv.places.district);
  r = await post(site, '/api/v1/tubes/T-PART/seal', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.tube.state, 'sealed');
  assert.equal(r.json.tube.n, 3);
  assert.equal((await post(site, '/api/v1/tubes/T-PART/seal', {})).status, 409);
  assertBareError(await post(site, '/api/v1/tubes/NOPE/seal', {}), 404);

  // The lab receives both and reports one negative, one positive.
  r = await post(lab, '/api/v1/labs/L2/receipts', { tubes: ['T-FULL', 'T-PART'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  r = await post(lab, '/api/v1/results', {
    results: [
      { tube: 'T-FULL', result: 'negative', at: at() },
      { tube: 'T-PART', result: 'positive', ct_orf1ab: 31.5, ct_n: 33.2, at: at() },
    ],
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  for (const p of people) assert.ok(!r.text.includes(p.name), 'a result answer carries a name');
  people.slice(0, 10).forEach((p) => note(p, { state: 'negative' }));
  part.forEach((p) => note(p, { state: 'pool_positive' }));

  // One recall per member of the positive tube, on the grid of their household.
  r = await srv.get('staff103', `/api/v1/rounds/${round}/recalls?place=${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.recalls.length, 3, r.text);
  assert.equal(r.json.cursor, null);
  for (const p of part) {
    const rc = r.json.recalls.find((x) => x.person_id === p.id);
    assert.ok(rc, `a recall for person ${p.id}`);
    assert.equal(rc.grid, p.grid);
    assert.equal(rc.state, 'pending');
    assert.equal(rc.source_tube, 'T-PART');
    assert.equal(rc.name, p.name, 'the grid worker calls on them by name');
    // Issue 12 item 8: names beside the codes, and the phone to call them back with.
    assert.equal(rc.phone, p.phone);
    assert.equal(rc.household, p.household.code);
    assert.equal(rc.household_name, p.household.name);
    const [hh] = sql(
      srv.db,
      `SELECT b.code, b.name FROM places h JOIN places b ON b.id = h.parent_id WHERE h.id = ${p.hh}`,
    );
    assert.deepEqual([rc.building, rc.building_name], [hh.code, hh.name]);
    const [grid] = sql(srv.db, `SELECT name FROM places WHERE code = '${p.grid}'`);
    assert.equal(rc.grid_name, grid.name);
    assert.ok(rc.grid_name && rc.building_name && rc.household_name, r.text);
  }
  // Naming them is a read of each: one entry per person, found by that person.
  let audited = [];
  for (let i = 0; i < 50 && !audited.length; i++) {
    const a = await srv.get('auditor1', '/api/v1/audit?user=staff103');
    const recs = new Set(a.json.entries.filter((e) => e.action.includes('/recalls')).map((e) => e.record));
    audited = part.every((p) => recs.has(`person:${p.id}`)) ? [...recs] : [];
    if (!audited.length) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(audited.length >= 1, 'the recall list is in the audit log');
  // Paged one at a time, and by the grid of the first.
  let cursor = '';
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const pg = await srv.get(
      'staff103',
      `/api/v1/rounds/${round}/recalls?place=${srv.places.district}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    seen.push(...pg.json.recalls.map((x) => x.id));
    if (!pg.json.cursor) break;
    cursor = pg.json.cursor;
  }
  assert.deepEqual(
    seen,
    r.json.recalls.map((x) => x.id),
  );
  r = await srv.get('staff103', `/api/v1/rounds/${round}/recalls?place=${part[0].grid}`);
  assert.equal(r.json.recalls.length, part.filter((p) => p.grid === part[0].grid).length);
  assert.equal(
    (await srv.get('staff103', `/api/v1/rounds/${round}/recalls?place=${srv.places.district}&status=bogus`)).json.error
      .field,
    'status',
  );
  assertBareError(await srv.get('cmd106', `/api/v1/rounds/${round}/recalls?place=${srv.places.district}`), 403);
  await assertCoverage(srv.places.district);

  // The first recalled person is re-swabbed into a single tube, which seals itself.
  const back = part[0];
  r = await post(site, '/api/v1/scans', { scans: [scan(back, 'T-SINGLE')] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  assert.equal(r.json.results[0].recall, true);
  assert.equal(r.json.results[0].sealed, true);
  r = await post(lab, '/api/v1/labs/L2/receipts', { tubes: ['T-SINGLE'] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  r = await post(lab, '/api/v1/results', { results: [{ tube: 'T-SINGLE', result: 'negative' }] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  note(back, { state: 'negative' });
  r = await srv.get('staff103', `/api/v1/rounds/${round}/recalls?place=${srv.places.district}&status=negative`);
  assert.deepEqual(
    r.json.recalls.map((x) => [x.person_id, x.single_tube]),
    [[back.id, 'T-SINGLE']],
  );
  r = await srv.get('staff103', `/api/v1/rounds/${round}/recalls?place=${srv.places.district}&status=pending`);
  assert.equal(r.json.recalls.length, 2);
  covBefore = await assertCoverage(srv.places.district);
  assert.equal(covBefore.pool_positive, 2);
  assert.equal(covBefore.negative, 11);
  assert.equal(covBefore.sampled, 13);
  for (const child of covBefore.children) {
    const want = figures(residents(child.place), peopleUnder(child.place));
    assert.equal(child.sampled, want.sampled, `child ${child.place}`);
    assert.equal(child.expected, want.expected, `child ${child.place}`);
  }
  assert.equal(
    covBefore.children.reduce((s, c) => s + c.sampled, 0),
    13,
  );
});

test('exemptions and the roll-call: exact, paged, audited, grid level and below only', async () => {
  const grid = people[0].grid;
  const under = new Set(peopleUnder(grid));
  const wantMissing = () =>
    [...under]
      .filter((id) => {
        const e = expect.get(id);
        return !(e && (e.sampled || e.exempt));
      })
      .sort((a, b) => a - b);
  // Exempt the first missing person of the grid for this round.
  const first = wantMissing()[0];
  assert.ok(first, 'someone of the grid is still missing');
  let r = await post('grid1', '/api/v1/exemptions', { person: first, round, reason: 'away' });
  if (srv.users.grid1.place !== grid) {
    assertBareError(r, 403);
    r = await post('staff103', '/api/v1/exemptions', { person: first, round, reason: 'away' });
  }
  assert.equal(r.status, 201, r.text);
  expect.set(first, { sampled: false, state: null, exempt: true });
  assert.equal((await post('staff103', '/api/v1/exemptions', { person: first, round, reason: 'away' })).status, 409);
  assert.equal(
    (await post('staff103', '/api/v1/exemptions', { person: first, round, reason: 'bored' })).json.error.field,
    'reason',
  );
  assertBareError(await post('cmd103', '/api/v1/exemptions', { person: first, round, reason: 'away' }), 403);
  await assertCoverage(grid);
  await assertCoverage(srv.places.district);

  const got = [];
  let cursor = '';
  for (let i = 0; i < 1000; i++) {
    r = await srv.get(
      'staff103',
      `/api/v1/rounds/${round}/missing?place=${grid}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, r.text);
    for (const m of r.json.missing) {
      assert.ok(m.name && m.building && m.household.startsWith(m.building), JSON.stringify(m));
      got.push(m.person_id);
    }
    if (!r.json.cursor) break;
    cursor = r.json.cursor;
  }
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    wantMissing(),
  );
  assert.equal(new Set(got).size, got.length, 'someone listed twice');
  r = await srv.get('staff103', `/api/v1/rounds/${round}/missing?place=${srv.places.street}`);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'place');
  assert.match(r.json.error.message, /grid/);
  // Reads are audited after the answer, by the writer: wait for the entries.
  let audited = 0;
  for (let i = 0; i < 50 && audited < got.length; i++) {
    audited = sql(
      srv.db,
      "SELECT count(*) AS n FROM audit WHERE action = 'GET /api/v1/rounds/{id}/missing' AND record LIKE 'person:%'",
    )[0].n;
    if (audited < got.length) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(audited, got.length, 'each page of the roll-call is audited with its people');
});

test('every refusal of the scan path, answered per item with nothing written', async () => {
  const site = { token: tok.site };
  // A second round, a closed third and an open tube of this round at S2.
  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '第二轮', pool: 5 });
  const round2 = r.json.round.id;
  r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '第三轮', pool: 5 });
  const round3 = r.json.round.id;
  assert.equal((await post('staff103', `/api/v1/rounds/${round3}/close`, {})).status, 200);
  assert.equal((await post('staff103', `/api/v1/rounds/${round3}/close`, {})).status, 409);
  const spare = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND p.id NOT IN (${[...expect.keys()].join(',')}) ORDER BY p.id LIMIT 2`,
  );
  const a = await person(spare[0].id);
  const b = await person(spare[1].id);
  r = await post(site, '/api/v1/scans', { scans: [scan(a, 'T-OPEN')] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  note(a, { sampled: true });

  const before = { samples: count('samples'), tubes: count('tubes'), recalls: count('recalls') };
  const bad = [
    ['unknown person', scan(b, 'T-NEW1', 'S2', { person: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' }), 'person', 'not_found'],
    ['outside the scope (answered as unknown)', scan(outsider, 'T-NEW2'), 'person', 'not_found'],
    ['tube full', scan(b, 'T-FULL'), 'tube', 'conflict'],
    ['tube sealed', scan(b, 'T-PART'), 'tube', 'conflict'],
    ['tube of another round', scan(b, 'T-OPEN', 'S2', { round: round2 }), 'tube', 'conflict'],
    ['round closed', scan(b, 'T-NEW3', 'S2', { round: round3 }), 'round', 'conflict'],
    ['unknown round', scan(b, 'T-NEW4', 'S2', { round: 999999 }), 'round', 'not_found'],
    ['another site for this token', scan(b, 'T-NEW5', 'S1'), 'site', 'forbidden'],
    ['missing at', scan(b, 'T-NEW6', 'S2', { at: undefined }), 'at', 'invalid'],
    ['bad at', scan(b, 'T-NEW7', 'S2', { at: 'yesterday' }), 'at', 'invalid'],
    ['bad scan id', scan(b, 'T-NEW8', 'S2', { scan_id: 'has space' }), 'scan_id', 'invalid'],
    ['round as text', scan(b, 'T-NEW9', 'S2', { round: String(round) }), 'round', 'invalid'],
    ['bad barcode', scan(b, 'T NEW', 'S2'), 'tube', 'invalid'],
    ['unknown member', scan(b, 'T-NEW10', 'S2', { colour: 'red' }), 'colour', 'invalid'],
  ];
  r = await post(site, '/api/v1/scans', { scans: bad.map((x) => x[1]) });
  assert.equal(r.status, 200, r.text);
  bad.forEach(([what, , field, code], i) => {
    const x = r.json.results[i];
    assert.equal(x.status, 'error', `${what}: ${JSON.stringify(x)}`);
    assert.equal(x.error.field, field, `${what}: ${JSON.stringify(x)}`);
    assert.equal(x.error.code, code, `${what}: ${JSON.stringify(x)}`);
    assert.ok(x.error.message, what);
  });
  // Another site's tube: S1's own token may not fill a tube opened at S2 (with a
  // resident of S1's community, sampled already: anyone else is unknown there).
  const local = await person(
    sql(
      srv.db,
      'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
        `WHERE h.code LIKE '${srv.places.community}%' ORDER BY p.id LIMIT 1`,
    )[0].id,
  );
  r = await srv.request('POST', '/api/v1/scans', {
    token: srv.tokens.site,
    body: { scans: [scan(local, 'T-OPEN', 'S1')] },
  });
  assert.equal(r.json.results[0].error.field, 'tube', r.text);
  assert.match(r.json.results[0].error.message, /another site/);
  assert.deepEqual({ samples: count('samples'), tubes: count('tubes'), recalls: count('recalls') }, before);

  // A batch over 1,000 is refused whole; a lab and other roles may not scan.
  r = await post(site, '/api/v1/scans', { scans: Array.from({ length: 1001 }, () => scan(b, 'T-BIG')) });
  assertBareError(r, 413);
  assertBareError(await post({ token: tok.lab }, '/api/v1/scans', { scans: [scan(b, 'T-X')] }), 403);
  assertBareError(await post('staff103', '/api/v1/scans', { scans: [scan(b, 'T-X')] }), 403);
  // A sampler user scans at sites of their jurisdiction only (S2, the district's, is
  // above sampler1's community), and there the people of the site's place only.
  r = await post('sampler1', '/api/v1/scans', { scans: [scan(local, 'T-X', 'S2')] });
  assert.deepEqual([r.json.results[0].status, r.json.results[0].error.field], ['error', 'site'], r.text);
  r = await post('sampler1', '/api/v1/scans', { scans: [scan(local, 'T-X', 'S1')] });
  assert.deepEqual(
    [r.json.results[0].status, r.json.results[0].repeat],
    ['ok', expect.get(local.id)?.sampled === true],
    r.text,
  );
  note(local, { sampled: true });

  // Lab refusals: unknown tube, open tube, a second result, another lab's receipts.
  const lab = { token: tok.lab };
  r = await post(lab, '/api/v1/results', {
    results: [
      { tube: 'T-NONE', result: 'negative' },
      { tube: 'T-OPEN', result: 'negative' },
      { tube: 'T-FULL', result: 'positive' },
      { tube: 'T-FULL', result: 'maybe' },
      { tube: 'T-FULL', result: 'negative', ct_n: 'high' },
    ],
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    Array(5).fill('error'),
    r.text,
  );
  assert.deepEqual(
    r.json.results.map((x) => x.error.field),
    ['tube', 'tube', 'tube', 'result', 'ct_n'],
  );
  assertBareError(await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['T-OPEN'] }), 403);
  r = await post(lab, '/api/v1/labs/L2/receipts', { tubes: ['T-OPEN', 'T-NONE', 7] });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['error', 'error', 'error'],
    r.text,
  );
  assert.deepEqual({ samples: count('samples') - 1, tubes: count('tubes') - 1, recalls: count('recalls') }, before);
  await assertCoverage(srv.places.district);
});

test('idempotent scans, also across a restart; coverage rebuilt the same', async () => {
  const site = { token: tok.site };
  const n = count('samples');
  let r = await post(site, '/api/v1/scans', { scans: full });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    Array(10).fill('duplicate'),
    r.text,
  );
  const cov1 = await assertCoverage(srv.places.district);
  srv = await restart(srv);
  r = await post(site, '/api/v1/scans', { scans: full });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    Array(10).fill('duplicate'),
    r.text,
  );
  assert.equal(count('samples'), n);
  const cov2 = await assertCoverage(srv.places.district);
  assert.deepEqual(cov2, cov1);
});

test('coverage depth=2: each child with its children, equal to asking per child; jurisdiction and audit as per place', async () => {
  const cov = (place, who = 'staff103', depth = '') =>
    srv.get(who, `/api/v1/rounds/${round}/coverage?place=${place}${depth ? `&depth=${depth}` : ''}`);
  // A place's own figures, without its children and the round.
  const bare = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'children' && k !== 'round'));
  for (const [who, place] of [
    ['staff103', srv.places.district],
    ['staff103', srv.places.street],
    ['grid1', srv.places.grid],
    ['admin', srv.places.city],
  ]) {
    const two = await cov(place, who, '2');
    assert.equal(two.status, 200, two.text);
    const one = await cov(place, who);
    assert.deepEqual(bare(two.json), bare(one.json), `${place}: the place itself as depth 1 answers`);
    assert.equal(two.json.round, round);
    assert.deepEqual(two.json.children.map(bare), one.json.children, `${place}: the children as depth 1 lists them`);
    assert.ok(two.json.children.length > 0, `${place} has children`);
    assert.deepEqual((await cov(place, who, '1')).json, one.json, 'depth=1 is the default');
    // Each child's children as the child's own answer lists them.
    for (const k of two.json.children) {
      const own = await cov(k.place, who);
      assert.equal(own.status, 200, own.text);
      assert.deepEqual(k.children, own.json.children, `${k.place}'s children`);
      assert.deepEqual(bare(k), bare(own.json));
    }
  }
  // The test's people are counted in the district's grandchildren (its communities).
  const d = (await cov(srv.places.district, 'staff103', '2')).json;
  const sampled = d.children.reduce((n, k) => n + k.children.reduce((m, g) => m + g.sampled, 0), 0);
  assert.equal(sampled, d.sampled);
  assert.ok(sampled > 0);
  // A household has no children; its depth=2 answer is its depth=1 answer.
  const hh = people[0].hh;
  const hcode = sql(srv.db, `SELECT code FROM places WHERE id = ${Number(hh)}`)[0].code;
  assert.deepEqual((await cov(hcode, 'staff103', '2')).json, (await cov(hcode, 'staff103')).json);
  let r = await cov(srv.places.district, 'staff103', '3');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'depth');
  assert.equal((await cov(srv.places.district, 'staff103', 'x')).status, 400);

  // Outside the jurisdiction (another district, or above it): refused as per place, and
  // each refusal audited alike; an answered call is not audited, at either depth.
  const audited = (pre) =>
    sql(
      srv.db,
      'SELECT actor, action, status, record FROM audit WHERE action = ' +
        `'${pre}GET /api/v1/rounds/{id}/coverage' ORDER BY id`,
    );
  const denied0 = audited('denied ').length;
  for (const place of [srv.places.other, srv.places.city]) {
    assertBareError(await cov(place, 'staff103'), 403);
    assertBareError(await cov(place, 'staff103', '2'), 403);
  }
  assertBareError(await cov(srv.places.district, 'cmd106', '2'), 403);
  assertBareError(await cov(srv.places.district, 'lab1', '2'), 403);
  let denied = [];
  for (let i = 0; i < 50 && denied.length < denied0 + 6; i++) {
    denied = audited('denied ');
    if (denied.length < denied0 + 6) await new Promise((res) => setTimeout(res, 100));
  }
  const fresh = denied.slice(denied0);
  assert.equal(fresh.length, 6, JSON.stringify(fresh));
  assert.deepEqual(fresh[1], fresh[0], 'a refused depth=2 call is audited as a refused per-place call');
  assert.deepEqual(fresh[3], fresh[2]);
  assert.ok(fresh.every((e) => e.status === 403));
  assert.deepEqual(audited(''), []);
});

test('a lab never reads a name', async () => {
  const p = people[0];
  for (const url of [
    `/api/v1/people/${p.id}`,
    `/api/v1/codes/${p.code}`,
    `/api/v1/people?place=${srv.places.grid}`,
    `/api/v1/rounds/${round}/missing?place=${p.grid}`,
    `/api/v1/rounds/${round}/recalls?place=${srv.places.district}`,
  ]) {
    assertBareError(await srv.request('GET', url, { token: tok.lab }), 403, [p.name]);
    assertBareError(await srv.get('lab1', url), 403, [p.name]);
  }
  srv.assertClean();
});

test('progress: tubes per stage, results, backlog, rates and turnaround exact against the rows', async () => {
  const rows = (q) => sql(srv.db, q);
  const n = (q) => rows(q)[0].n;
  const r = await srv.get('staff103', `/api/v1/rounds/${round}/progress`);
  assert.equal(r.status, 200, r.text);
  const p = r.json;
  const inRound = `FROM tubes WHERE round_id = ${round}`;
  assert.equal(p.round, round);
  assert.equal(p.samples, n(`SELECT count(*) AS n FROM samples WHERE round_id = ${round}`));
  // Every scan of this file was made moments ago: all of them in the last hour.
  assert.equal(p.samples_last_hour, p.samples);
  // The round's first minutes: the rate is over the time since its first sample (at
  // least a minute), not over an hour (issue 12, item 6).
  const at0 = Date.parse(p.at) / 1000;
  const window = at0 - Date.parse(p.first_sample_at) / 1000;
  assert.ok(window >= 0 && window < 600, r.text);
  assert.equal(p.samples_per_hour.window_s, window);
  assert.ok(Math.abs(p.samples_per_hour.last_hour - (p.samples * 3600) / Math.max(window, 60)) < 1e-6, r.text);
  assert.deepEqual(p.tubes, {
    opened: n(`SELECT count(*) AS n ${inRound}`),
    sealed: n(`SELECT count(*) AS n ${inRound} AND state >= 1`),
    received: n(`SELECT count(*) AS n ${inRound} AND state >= 2`),
    resulted: n(`SELECT count(*) AS n ${inRound} AND state = 3`),
  });
  assert.deepEqual(p.results, {
    negative: n(`SELECT count(*) AS n ${inRound} AND result = 0`),
    positive: n(`SELECT count(*) AS n ${inRound} AND result = 1`),
    invalid: n(`SELECT count(*) AS n ${inRound} AND result = 2`),
    pool_positive: n(`SELECT count(*) AS n ${inRound} AND result = 1 AND single = 0 AND capacity > 1`),
  });
  assert.ok(p.results.pool_positive >= 1, r.text);
  assert.ok(p.results.negative >= 2 && p.results.positive >= 1, r.text);
  assert.deepEqual(p.backlog, {
    sealed_not_received: n(`SELECT count(*) AS n ${inRound} AND state = 1`),
    received_not_resulted: n(`SELECT count(*) AS n ${inRound} AND state = 2`),
  });
  // Nearest-rank median and p90 of resulted_at − opened_at over every resulted tube.
  const t = rows(`SELECT resulted_at - opened_at AS t ${inRound} AND state = 3 ORDER BY t`).map((x) => x.t);
  assert.equal(p.turnaround.tubes, t.length);
  assert.equal(p.turnaround.exact, true);
  assert.equal(p.turnaround.median_s, t[Math.ceil(0.5 * t.length) - 1]);
  assert.equal(p.turnaround.p90_s, t[Math.ceil(0.9 * t.length) - 1]);
  // Remaining people at the scope; sampling began under ten minutes ago, so no
  // projection yet (estimating) — the projection's arithmetic is test_progress's.
  const cov = await srv.get('staff103', `/api/v1/rounds/${round}/coverage?place=${srv.places.district}`);
  assert.equal(p.remaining, cov.json.expected - cov.json.sampled);
  assert.ok(p.remaining > 0);
  assert.equal(p.estimating, true);
  assert.equal(p.complete, false);
  assert.equal(p.projected_completion, null);
  // The coverage route's roles; a lab, a device or another district's commander: refused.
  assertBareError(await srv.get('cmd106', `/api/v1/rounds/${round}/progress`), 403);
  assertBareError(await srv.get('lab1', `/api/v1/rounds/${round}/progress`), 403);
  assertBareError(await srv.request('GET', `/api/v1/rounds/${round}/progress`, { token: tok.lab }), 403);
  assert.equal((await srv.get('staff103', '/api/v1/rounds/999999/progress')).status, 404);
});
