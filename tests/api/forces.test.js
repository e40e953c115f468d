// Issue 14, items 3 and 4: organisations in a subtree and their members (names masked
// outside the caller's jurisdiction, every person read audited), forming a compound
// (a branch, a group per building of its party members, a volunteer team: counts held
// to the database), a squad deployed and the ledger read exactly (shifts crossing
// midnight on the Guangzhou date of their start), check-in and who is where now, and
// out-of-jurisdiction attempts answered 403.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { start, finish, sql } = require('./lib/server.js');

let srv;
before(async () => {
  srv = await start();
});
after(async () => finish(srv));

async function post(who, url, body) {
  return srv.request('POST', url, { session: await srv.as(who), body });
}

async function waitAudit(where) {
  for (let i = 0; i < 50; i++) {
    const n = sql(srv.db, `SELECT count(*) AS n FROM audit WHERE ${where}`)[0].n;
    if (n) return n;
    await new Promise((res) => setTimeout(res, 100));
  }
  return 0;
}

// People living under a place code, by id.
function peopleUnder(code, n) {
  return sql(
    srv.db,
    `SELECT p.id, p.household_id FROM people p JOIN places h ON h.id = p.household_id ` +
      `WHERE h.code LIKE '${code}%' ORDER BY p.id LIMIT ${n}`,
  ).map((r) => r.id);
}

test('organisations in a subtree; a commander elsewhere is refused', async () => {
  const { district, street, other } = srv.places;
  const a = await post('staff103', '/api/v1/orgs', { kind: 'shock_team', name: '突击队一', place: street });
  assert.equal(a.status, 201, a.text);
  const b = await post('staff103', '/api/v1/orgs', {
    kind: 'party_committee',
    name: '区委',
    place: district,
  });
  assert.equal(b.status, 201, b.text);
  const c = await post('cmd106', '/api/v1/orgs', { kind: 'shock_team', name: '天河队', place: other });
  assert.equal(c.status, 201, c.text);
  // A child placed under its parent.
  const d = await post('staff103', '/api/v1/orgs', {
    kind: 'party_branch',
    name: '街道支部',
    place: street,
    parent: b.json.id,
  });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.org.parent, b.json.id);
  assert.equal(d.json.org.place.code, street);

  const inStreet = await srv.get('staff103', `/api/v1/orgs?place=${street}`);
  assert.equal(inStreet.status, 200, inStreet.text);
  const ids = inStreet.json.orgs.map((o) => o.id);
  assert.ok(ids.includes(a.json.id) && ids.includes(d.json.id));
  assert.ok(!ids.includes(b.json.id), 'the district committee is not placed in the street');
  assert.ok(!ids.includes(c.json.id));
  for (const o of inStreet.json.orgs) assert.ok(o.place.code.startsWith(street), JSON.stringify(o));
  const teams = await srv.get('staff103', `/api/v1/orgs?place=${district}&kind=shock_team`);
  assert.deepEqual(
    teams.json.orgs.map((o) => o.kind),
    teams.json.orgs.map(() => 'shock_team'),
  );
  assert.ok(teams.json.orgs.some((o) => o.id === a.json.id));
  // Pages of one.
  const p1 = await srv.get('staff103', `/api/v1/orgs?place=${street}&limit=1`);
  assert.equal(p1.json.orgs.length, 1);
  assert.ok(p1.json.cursor);
  const p2 = await srv.get('staff103', `/api/v1/orgs?place=${street}&limit=1&cursor=${p1.json.cursor}`);
  assert.notEqual(p2.json.orgs[0].id, p1.json.orgs[0].id);

  // Outside the jurisdiction: 403 for the list, the org, the write.
  assert.equal((await srv.get('staff103', `/api/v1/orgs?place=${other}`)).status, 403);
  assert.equal((await srv.get('staff103', `/api/v1/orgs/${c.json.id}`)).status, 403);
  const w = await post('cmd106', '/api/v1/orgs', { kind: 'other', name: 'x', place: street });
  assert.equal(w.status, 403);
  // Roles: an operator manages no forces.
  const op = await post('operator1', '/api/v1/orgs', { kind: 'other', name: 'x', place: street });
  assert.equal(op.status, 403);
  const bad = await post('staff103', '/api/v1/orgs', { kind: 'army', name: 'x', place: street });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'kind');
});

test('members per item; names masked outside the reader’s jurisdiction; reads audited', async () => {
  const { district, street, other } = srv.places;
  const org = await post('citycmd', '/api/v1/orgs', { kind: 'volunteer_team', name: '志愿队', place: district });
  assert.equal(org.status, 201, org.text);
  const [mine] = peopleUnder(street, 1);
  const [far] = peopleUnder(other, 1);
  const r = await post('citycmd', `/api/v1/orgs/${org.json.id}/members`, {
    members: [
      { person: String(mine), role: 'leader', party: true },
      { person: String(far), role: 'member' },
      { user: 'grid1', role: 'member', police: true },
      { person: '999999999' },
      { person: String(mine) },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok', 'ok', 'error', 'error'],
  );
  assert.equal(r.json.results[3].error.code, 'not_found');
  assert.equal(r.json.results[4].error.code, 'conflict');
  assert.equal(r.json.added, 3);

  const g = await srv.get('cmd103', `/api/v1/orgs/${org.json.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.org.members, 3);
  const byPerson = new Map(g.json.members.filter((m) => m.person).map((m) => [m.person, m]));
  assert.equal(byPerson.get(mine).masked, false);
  assert.equal(byPerson.get(mine).party, true);
  assert.equal(byPerson.get(mine).role, 'leader');
  assert.equal(byPerson.get(far).masked, true, 'a resident of 440106 is masked for a commander of 440103');
  assert.match(byPerson.get(far).name, /\*/);
  assert.doesNotMatch(byPerson.get(mine).name, /\*/);
  const u = g.json.members.find((m) => m.user);
  assert.equal(u.user, 'grid1');
  assert.equal(u.police, true);
  assert.ok(await waitAudit(`actor = 'cmd103' AND action = 'GET /api/v1/orgs/{id}' AND record = 'person:${far}'`));
  // 403 for a grid worker writing; a commander elsewhere cannot read.
  const gw = await post('grid1', `/api/v1/orgs/${org.json.id}/members`, { members: [{ person: String(mine) }] });
  assert.equal(gw.status, 403);
  assert.equal((await srv.get('cmd106', `/api/v1/orgs/${org.json.id}`)).status, 403);
});

test('forming a compound: counts as the database holds them, once only', async () => {
  // The most populous compound of 440103; a third of its adults become party members.
  const [compound] = sql(
    srv.db,
    `SELECT id, code, n_people FROM places WHERE level = 5 AND code LIKE '440103%' ` +
      `ORDER BY n_people DESC, code LIMIT 1`,
  );
  const under =
    `SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ` +
    `JOIN places b ON b.id = h.parent_id WHERE b.parent_id = ${compound.id}`;
  sql(
    srv.db,
    `UPDATE people SET party = CASE WHEN id % 3 = 0 AND birth < 8000 THEN 1 ELSE 0 END WHERE id IN (${under})`,
  );
  const party = sql(
    srv.db,
    `SELECT count(*) AS members, count(DISTINCT b.id) AS groups FROM people p ` +
      `JOIN places h ON h.id = p.household_id JOIN places b ON b.id = h.parent_id ` +
      `WHERE b.parent_id = ${compound.id} AND p.party = 1`,
  )[0];
  assert.ok(party.members > 0, 'the compound has party members');

  assert.equal((await post('grid1', '/api/v1/forces/form', { place: compound.code })).status, 403);
  assert.equal((await post('cmd106', '/api/v1/forces/form', { place: compound.code })).status, 403);
  const r = await post('staff103', '/api/v1/forces/form', { place: compound.code });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.branches, 1);
  assert.equal(r.json.groups, party.groups);
  assert.equal(r.json.members, party.members);
  assert.equal(r.json.residents, compound.n_people);
  // 66 per 8,000 residents, at least one, never more than who is eligible.
  const want = Math.max(1, Math.round((compound.n_people * 66) / 8000));
  assert.ok(r.json.volunteers >= 1 && r.json.volunteers <= want, JSON.stringify(r.json));
  const groups = await srv.get('staff103', `/api/v1/orgs?place=${compound.code}&kind=temporary_group`);
  assert.equal(groups.json.orgs.length, party.groups);
  assert.equal(
    groups.json.orgs.reduce((s, o) => s + o.members, 0),
    party.members,
  );
  for (const o of groups.json.orgs) assert.equal(o.parent, r.json.branch);
  const again = await post('staff103', '/api/v1/forces/form', { place: compound.code });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.field, 'place');
  const notCompound = await post('staff103', '/api/v1/forces/form', { place: srv.places.street });
  assert.equal(notCompound.status, 400);
});

test('a squad deployed and the ledger read exactly; check-in; who is where now', async () => {
  const { district, street, other } = srv.places;
  const streets = sql(
    srv.db,
    `SELECT p.code FROM places p JOIN places d ON d.id = p.parent_id WHERE d.code = '${district}' ` +
      `ORDER BY p.code LIMIT 2`,
  ).map((r) => r.code);
  assert.equal(streets.length, 2);
  const squad = await post('staff103', '/api/v1/orgs', { kind: 'sampling_squad', name: '采样队', place: district });
  assert.equal(squad.status, 201, squad.text);
  const members = peopleUnder(district, 9);
  const add = await post('staff103', `/api/v1/orgs/${squad.json.id}/members`, {
    members: members.map((id) => ({ person: String(id), role: 'medic' })),
  });
  assert.equal(add.json.added, 9);
  const org = await srv.get('staff103', `/api/v1/orgs/${squad.json.id}`);
  const memberIds = org.json.members.map((m) => m.id);
  // Five to the first street on an evening shift crossing midnight (2021-06-11 20:00 to
  // 04:00 in Guangzhou), four to the second starting 00:30 on the 12th (16:30Z the 11th).
  const d1 = await post('staff103', '/api/v1/deployments', {
    org: squad.json.id,
    members: memberIds.slice(0, 5),
    place: streets[0],
    from: '2021-06-11T20:00:00+08:00',
    to: '2021-06-12T04:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(d1.status, 201, d1.text);
  assert.equal(d1.json.people, 5);
  assert.equal(d1.json.date, '2021-06-11');
  const d2 = await post('staff103', '/api/v1/deployments', {
    org: squad.json.id,
    members: memberIds.slice(5),
    place: streets[1],
    from: '2021-06-11T16:30:00Z',
    to: '2021-06-12T08:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(d2.status, 201, d2.text);
  assert.equal(d2.json.date, '2021-06-12');
  // The whole squad again on the 12th, and two people alone (by id) the same day.
  const d3 = await post('staff103', '/api/v1/deployments', {
    org: squad.json.id,
    place: streets[0],
    from: '2021-06-12T08:00:00+08:00',
    to: '2021-06-12T20:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(d3.json.people, 9);
  const d4 = await post('staff103', '/api/v1/deployments', {
    people: [String(members[0]), members[1]],
    place: streets[1],
    from: '2021-06-12T09:00:00+08:00',
    to: '2021-06-12T11:00:00+08:00',
    duty: 'patrol',
  });
  assert.equal(d4.status, 201, d4.text);
  assert.equal(d4.json.people, 2);

  const led = await srv.get('staff103', `/api/v1/ledger?place=${district}&from=2021-06-11&to=2021-06-12`);
  assert.equal(led.status, 200, led.text);
  assert.equal(led.json.total_person_times, 5 + 4 + 9 + 2);
  const rows = led.json.rows.map((r) => [r.date, r.org, r.place, r.person_times]);
  assert.deepEqual(rows, [
    ['2021-06-11', squad.json.id, streets[0], 5],
    ['2021-06-12', null, streets[1], 2],
    ['2021-06-12', squad.json.id, streets[0], 9],
    ['2021-06-12', squad.json.id, streets[1], 4],
  ]);
  const one = await srv.get(
    'staff103',
    `/api/v1/ledger?place=${streets[1]}&org=${squad.json.id}&from=2021-06-01&to=2021-06-30`,
  );
  assert.equal(one.json.total_person_times, 4);
  const day = await srv.get('staff103', `/api/v1/ledger?place=${district}&from=2021-06-12&to=2021-06-12`);
  assert.equal(day.json.total_person_times, 15);
  assert.equal((await srv.get('staff103', `/api/v1/ledger?place=${other}`)).status, 403);
  // The same range's totals per organisation and per street.
  const perOrg = await srv.get('staff103', `/api/v1/ledger?place=${district}&from=2021-06-11&to=2021-06-12&by=org`);
  assert.equal(perOrg.status, 200, perOrg.text);
  assert.deepEqual(
    perOrg.json.rows.map((r) => [r.org, r.person_times]),
    [
      [null, 2],
      [squad.json.id, 18],
    ],
  );
  assert.equal(perOrg.json.rows[1].org_name, '采样队');
  const perStreet = await srv.get(
    'staff103',
    `/api/v1/ledger?place=${district}&from=2021-06-11&to=2021-06-12&by=street`,
  );
  assert.deepEqual(
    perStreet.json.rows.map((r) => [r.place, r.person_times]),
    [
      [streets[0], 14],
      [streets[1], 6],
    ].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
  );
  assert.equal(perStreet.json.total_person_times, 20);
  const badBy = await srv.get('staff103', `/api/v1/ledger?place=${district}&by=week`);
  assert.equal(badBy.status, 400);
  assert.equal(badBy.json.error.field, 'by');

  // Out of jurisdiction: a shift to 440106, a team of 440103 sent by a commander of 440106.
  const far = await post('staff103', '/api/v1/deployments', {
    org: squad.json.id,
    place: other,
    from: '2021-06-12T08:00:00+08:00',
    to: '2021-06-12T20:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(far.status, 403);
  const stolen = await post('cmd106', '/api/v1/deployments', {
    org: squad.json.id,
    place: other,
    from: '2021-06-12T08:00:00+08:00',
    to: '2021-06-12T20:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(stolen.status, 403);
  const back = await post('staff103', '/api/v1/deployments', {
    org: squad.json.id,
    place: street,
    from: '2021-06-12T08:00:00+08:00',
    to: '2021-06-12T07:00:00+08:00',
    duty: 'sampling',
  });
  assert.equal(back.status, 400);
  assert.equal(back.json.error.field, 'to');

  // Now: a shift holding the present moment; check everyone in, one out.
  const now = Date.now();
  const live = await post('staff103', '/api/v1/deployments', {
    people: members.slice(0, 3).map(String),
    place: street,
    from: new Date(now - 3600_000).toISOString(),
    to: new Date(now + 3600_000).toISOString(),
    duty: 'checkpoint',
  });
  assert.equal(live.status, 201, live.text);
  const all = await post('grid1', `/api/v1/deployments/${live.json.id}/checkin`, { all: true });
  assert.equal(all.status, srv.places.grid.startsWith(street) ? 200 : 403);
  const inAll = await post('staff103', `/api/v1/deployments/${live.json.id}/checkin`, { all: true });
  assert.equal(inAll.status, 200, inAll.text);
  assert.equal(inAll.json.deployment.present, 3);
  const shift = await srv.get('staff103', `/api/v1/deployments/${live.json.id}`);
  assert.equal(shift.json.people.length, 3);
  const out = await post('staff103', `/api/v1/deployments/${live.json.id}/checkout`, {
    member: shift.json.people[0].id,
  });
  assert.equal(out.json.changed, 1);
  assert.equal(out.json.deployment.present, 2);
  const where = await srv.get('staff103', `/api/v1/deployments?place=${district}&active=1`);
  assert.equal(where.status, 200, where.text);
  assert.deepEqual(
    where.json.deployments.map((d) => d.id),
    [live.json.id],
  );
  assert.equal(where.json.present, 2);
  const wrong = await post('staff103', `/api/v1/deployments/${live.json.id}/checkout`, { member: 999999 });
  assert.equal(wrong.status, 404);
});
