// The hotline operator's questions (issue 12): how many people a search found (the
// server's total, said to be a lower bound when the scan stopped), who has this phone
// number (a blind index beside the sealed phone, never the phone in clear), and "has my
// mother been tested?" — GET /api/v1/people/{id}/screening with her samples and results
// this round, for the roles that may read her record, audited as a read of her.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, finish, restart, musterOk, sql, assertBareError } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

const q = (place, text, extra = '') => `/api/v1/people?place=${place}&q=${encodeURIComponent(text)}${extra}`;

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

test('a first page carries the total: everyone, a name fragment, an ID number', async () => {
  const place = (await srv.get('operator1', `/api/v1/places/${srv.places.district}`)).json.place;
  let r = await srv.get('operator1', `/api/v1/people?place=${srv.places.district}&limit=5`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, place.counts.people);
  assert.equal(r.json.total_capped, false);
  // A later page does not count again.
  const next = await srv.get(
    'operator1',
    `/api/v1/people?place=${srv.places.district}&limit=5&cursor=${r.json.cursor}`,
  );
  assert.equal(next.json.total, null);

  // A name fragment: the total is every match in the subtree, though the page holds 2.
  const first = r.json.people[0];
  const frag = [...first.name][0];
  const all = [];
  let cursor = null;
  let total = null;
  do {
    const c = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const p = await srv.get('operator1', q(srv.places.district, frag, `&limit=2${c}`));
    assert.equal(p.status, 200, p.text);
    if (!cursor) total = p.json.total;
    else assert.equal(p.json.total, null);
    all.push(...p.json.people);
    cursor = p.json.cursor;
  } while (cursor);
  assert.ok(all.length > 2, `fragment ${frag} matches only ${all.length}`);
  assert.equal(total, all.length);

  // Each shows the building's and the household's names, not their codes.
  for (const p of all) {
    const [row] = sql(
      srv.db,
      `SELECT b.name || ' ' || h.name AS a FROM places h JOIN places b ON b.id = h.parent_id WHERE h.code = '${p.household}'`,
    );
    assert.equal(p.address, row.a);
  }

  // An ID number: exactly one.
  const full = (await srv.get('operator1', `/api/v1/people/${first.id}`)).json.person;
  r = await srv.get('operator1', q(srv.places.district, full.id_number));
  assert.equal(r.json.total, 1);
  r = await srv.get('operator1', q(srv.places.district, '无此名字'));
  assert.equal(r.json.total, 0);
  assert.deepEqual(r.json.people, []);
});

test('search by phone: the blind index finds the person, in any spelling, only inside the place', async () => {
  const row = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND p.phone_hash IS NOT NULL ORDER BY p.id LIMIT 1`,
  )[0];
  assert.ok(row, 'no one in the district has an indexed phone');
  const person = (await srv.get('operator1', `/api/v1/people/${row.id}`)).json.person;
  const digits = person.phone.replace(/\D/g, '');
  assert.ok(digits.length >= 5, `phone ${person.phone}`);
  // Never in clear at rest: no column of the row holds the digits.
  const cols = sql(srv.db, `SELECT * FROM people WHERE id = ${row.id}`)[0];
  for (const [k, v] of Object.entries(cols)) assert.ok(!String(v).includes(digits), `column ${k} holds the phone`);
  const hex = sql(srv.db, `SELECT hex(phone_hash) AS h FROM people WHERE id = ${row.id}`)[0].h;
  assert.equal(hex.length, 32);

  const spelled = [digits, person.phone, `+86 ${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`];
  if (digits.length === 11) spelled.push(`0086${digits}`);
  for (const text of spelled) {
    const r = await srv.get('operator1', q(srv.places.district, text));
    assert.equal(r.status, 200, r.text);
    assert.ok(
      r.json.people.some((p) => p.id === person.id),
      `${text} did not find ${person.id}: ${r.text}`,
    );
    assert.equal(r.json.total, r.json.people.length);
    assert.ok(r.json.people.every((p) => p.household.startsWith(srv.places.district)));
  }
  // Everyone found by the phone has that phone.
  const r = await srv.get('operator1', q(srv.places.district, digits));
  for (const p of r.json.people) {
    const full = (await srv.get('operator1', `/api/v1/people/${p.id}`)).json.person;
    assert.equal(full.phone.replace(/\D/g, '').slice(-digits.length), digits);
  }
  // Outside the place asked about: nobody.
  const elsewhere = await srv.get('cmd106', q(srv.places.other, digits));
  assert.equal(elsewhere.status, 200);
  assert.ok(!elsewhere.json.people.some((p) => p.id === person.id));
  // A number nobody has.
  const none = await srv.get('operator1', q(srv.places.district, '19999999999'));
  assert.deepEqual(none.json.people, []);
  assert.equal(none.json.total, 0);
});

test('has she been tested: samples, results, recall and exemption of the rounds covering her', async () => {
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' ORDER BY p.id LIMIT 6`,
  ).map((x) => x.id);
  assert.equal(ids.length, 6);
  const ppl = [];
  for (const id of ids) ppl.push((await srv.get('admin', `/api/v1/people/${id}`)).json.person);
  const [neg1, neg2, waiting, exempt, pos, untested] = ppl;

  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '热线测试轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round = r.json.round.id;
  // A site of the district's own: a site samples the people of its place only (the
  // fixture's S1 is one community's). Its token is issued between two servers.
  r = await post('staff103', '/api/v1/sites', {
    code: 'S-OP',
    place: srv.places.district,
    name: '热线测试点',
    desks: 1,
  });
  assert.equal(r.status, 201, r.text);
  let token;
  srv = await restart(srv, [], () => {
    token = musterOk(['token', 'issue', '--site', 'S-OP', '--db', srv.db]).stdout.trim();
  });
  const site = { token };
  const lab = { token: srv.tokens.lab };
  const scan = (p, tube) => ({
    scan_id: crypto.randomUUID(),
    round,
    site: 'S-OP',
    tube,
    person: p.code,
    at: new Date().toISOString(),
  });
  r = await post(site, '/api/v1/scans', {
    scans: [scan(neg1, 'OP-NEG'), scan(neg2, 'OP-NEG'), scan(waiting, 'OP-WAIT'), scan(pos, 'OP-POS')],
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(
    r.json.results.every((x) => x.ok !== false && !x.error),
    r.text,
  );
  for (const t of ['OP-NEG', 'OP-POS']) assert.equal((await post(site, `/api/v1/tubes/${t}/seal`, {})).status, 200);
  r = await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['OP-NEG', 'OP-POS'] });
  assert.equal(r.status, 200, r.text);
  r = await post(lab, '/api/v1/results', {
    results: [
      { tube: 'OP-NEG', result: 'negative' },
      { tube: 'OP-POS', result: 'positive' },
    ],
  });
  assert.equal(r.status, 200, r.text);
  r = await post('staff103', '/api/v1/exemptions', { person: exempt.id, round, reason: 'hospitalised' });
  assert.equal(r.status, 201, r.text);

  const status = async (p, who = 'operator1') => {
    const a = await srv.get(who, `/api/v1/people/${p.id}/screening`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.person, p.id);
    const mine = a.json.rounds.find((x) => x.id === round);
    assert.ok(mine, `round ${round} missing for ${p.id}: ${a.text}`);
    assert.equal(a.json.rounds[0].id, round, 'newest first');
    return mine;
  };
  let s = await status(neg1);
  assert.equal(s.status, 'negative');
  assert.equal(s.open, true);
  assert.equal(s.name, '热线测试轮');
  assert.equal(s.samples.length, 1);
  assert.equal(s.samples[0].tube, 'OP-NEG');
  assert.equal(s.samples[0].site, '热线测试点');
  assert.equal(s.samples[0].pool, 5);
  assert.equal(s.samples[0].result, 'negative');
  assert.equal(s.samples[0].tube_state, 'resulted');
  assert.ok(s.samples[0].resulted_at);
  assert.equal(s.recall, null);
  assert.equal(s.exempt, null);

  s = await status(waiting, 'staff103');
  assert.equal(s.status, 'awaiting_result');
  assert.equal(s.samples[0].result, null);
  assert.equal(s.samples[0].tube_state, 'open');

  s = await status(exempt);
  assert.equal(s.status, 'exempt');
  assert.equal(s.exempt, 'hospitalised');
  assert.deepEqual(s.samples, []);

  s = await status(pos);
  assert.equal(s.status, 'recall_pending');
  assert.equal(s.recall.state, 'pending');
  assert.equal(s.samples[0].result, 'positive');

  s = await status(untested, 'cmd103');
  assert.equal(s.status, 'not_sampled');

  // Someone of another district: the round does not cover them.
  const out = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.other}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  r = await srv.get('citycmd', `/api/v1/people/${out}/screening`);
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.json.rounds.some((x) => x.id === round));

  // Who may not: outside the jurisdiction, a lab, an auditor; bad and unknown ids.
  assertBareError(await srv.get('cmd106', `/api/v1/people/${neg1.id}/screening`), 403);
  assertBareError(await srv.get('lab1', `/api/v1/people/${neg1.id}/screening`), 403);
  assertBareError(await srv.get('auditor1', `/api/v1/people/${neg1.id}/screening`), 403);
  assertBareError(await srv.get('operator1', '/api/v1/people/abc/screening'), 400);
  assertBareError(await srv.get('admin', '/api/v1/people/999999999/screening'), 404);

  // Audited as a read of the person.
  let entries = [];
  for (let i = 0; i < 50 && !entries.length; i++) {
    const a = await srv.get('auditor1', `/api/v1/audit?record=person:${neg1.id}`);
    entries = a.json.entries.filter((e) => e.actor === 'operator1' && e.action.includes('/screening'));
    if (!entries.length) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(entries.length >= 1, 'no audit entry for the screening read');
});
