// Issue 12, item 4: the sampler's and the lab's pages (and the group's task page, issue 13)
// show every refusal the scan, seal, receipt and result routes (and a task's done) can answer in the page's language. The routes' refusals are
// listed here from the C code (src/screening/tube.c, result.c, api_scan.c); a literal
// (MU_E*, "field") refusal added there and missing here fails, and so does a listed one
// without both a Chinese and an English message in web/src/i18n.js. Every error code of
// core's table has a page-wide message too (busy, storage_full, …).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..', '..');
const src = (f) => fs.readFileSync(path.join(ROOT, 'src', f), 'utf8');

// route → field → codes (the stable strings of core's table).
const ROUTES = {
  // ---- posts (helper posts): web/src/pages/Posts.vue and components/WartimeBoard.vue ----
  posts: {
    // POST /api/v1/posts/{code}/supplies: forces_supply_receive (supplies.c), api_posts.c.
    receive: {
      item: ['invalid'],
      qty: ['invalid', 'too_large'],
      low_mark: ['invalid'],
      code: ['invalid', 'not_found'],
    },
    // POST /api/v1/supplies/move: forces_supply_move, and both ends' posts.
    move: {
      from: ['invalid', 'not_found'],
      to: ['invalid', 'not_found'],
      item: ['invalid'],
      qty: ['invalid', 'conflict', 'too_large'],
    },
    // POST /api/v1/supplies/handout: forces_supply_handout, and with a call: the post
    // must serve it (post: invalid), the call must exist and be open (calls_close).
    handout: {
      post: ['invalid', 'not_found'],
      item: ['invalid'],
      qty: ['invalid', 'conflict'],
      call: ['invalid', 'not_found', 'conflict'],
    },
    // POST /api/v1/wartime: calls_wartime_set (calls/wartime.c) through forces_wartime_switch.
    wartime: { place: ['invalid', 'not_found'], on: ['invalid'], reason: ['invalid'], at: ['invalid'] },
  },
  samp: {
    // POST /api/v1/scans, per item: check_scan (tube.c) and the API's own checks.
    scan: {
      scan_id: ['invalid'],
      round: ['invalid', 'not_found', 'conflict'],
      site: ['invalid', 'not_found', 'forbidden'],
      tube: ['invalid', 'conflict'],
      person: ['invalid', 'not_found', 'conflict'],
      at: ['invalid'],
      scans: ['invalid', 'too_large'], // batch_body(r, "scans")
    },
    // POST /api/v1/tubes/{barcode}/seal: tube_site, then the seal's refusal.
    seal: { barcode: ['invalid', 'not_found', 'conflict'] },
  },
  lab: {
    // POST /api/v1/labs/{code}/receipts: screening_tube_receive (result.c) per item.
    receipt: {
      tube: ['invalid', 'not_found', 'conflict'],
      code: ['invalid', 'not_found'],
      tubes: ['invalid', 'too_large'], // batch_body(r, "tubes")
    },
    // POST /api/v1/results: result_item (api_scan.c) and the record's checks (result.c).
    result: {
      tube: ['invalid', 'not_found', 'conflict', 'forbidden'],
      result: ['invalid'],
      ct_orf1ab: ['invalid'],
      ct_n: ['invalid'],
      at: ['invalid'],
      results: ['invalid', 'too_large'], // batch_body(r, "results")
    },
  },
  // ---- orders (helper orders): src/calls/orders.c and api_orders.c ----
  orders: {
    // POST /api/v1/orders
    issue: {
      title: ['invalid'],
      text: ['invalid'],
      due: ['invalid'],
      targets: ['invalid', 'not_found', 'forbidden'],
      level: ['invalid'],
      under: ['invalid', 'not_found'],
    },
    // POST /api/v1/orders/{id}/targets/{code}/ack|done|blocked
    act: {
      id: ['invalid', 'not_found'],
      code: ['invalid', 'not_found', 'conflict'],
      note: ['invalid'],
      action: ['invalid'],
    },
    // POST /api/v1/orders/{id}/targets/{code}/forward
    forward: {
      id: ['invalid', 'not_found'],
      code: ['invalid', 'not_found', 'conflict'],
      targets: ['invalid', 'not_found', 'conflict', 'forbidden'],
      due: ['invalid'],
      level: ['invalid'],
      under: ['invalid', 'not_found'],
    },
  },
  // ---- forces (helper forces): the forces and ledger pages (src/forces/) ----
  forces: {
    form: { place: ['invalid', 'not_found', 'conflict'] },
    org: {
      kind: ['invalid'],
      name: ['invalid'],
      place: ['invalid', 'not_found'],
      parent: ['invalid', 'not_found'],
      standing: ['invalid'],
    },
    members: {
      members: ['invalid', 'too_large'],
      member: ['invalid'],
      person: ['invalid', 'not_found', 'conflict'],
      user: ['not_found', 'conflict'],
      role: ['invalid'],
      party: ['invalid'],
      medic: ['invalid'],
      police: ['invalid'],
      org: ['not_found'],
      id: ['invalid', 'not_found'],
    },
    deploy: {
      org: ['invalid', 'not_found'],
      members: ['invalid', 'too_large'],
      people: ['invalid', 'not_found', 'too_large'],
      place: ['invalid', 'not_found'],
      from: ['invalid'],
      to: ['invalid'],
      duty: ['invalid'],
    },
    checkin: { member: ['invalid', 'not_found'], all: ['invalid'], id: ['invalid', 'not_found'] },
    list: {
      kind: ['invalid'],
      active: ['invalid'],
      org: ['invalid'],
      from: ['invalid'],
      to: ['invalid'],
      by: ['invalid'],
      id: ['invalid', 'not_found'],
    },
    squad: { hospitals: ['invalid', 'not_found'], size: ['invalid'], to: ['invalid'] },
  },
  // ---- cases (helper cases): src/control/api_cases.c, cases.c, contacts.c ----
  cases: {
    // POST /api/v1/cases
    open: {
      person: ['invalid', 'not_found', 'conflict'],
      kind: ['invalid'],
      onset: ['invalid'],
      confirmed_at: ['invalid'],
      hospital: ['invalid'],
    },
    // POST /api/v1/cases/{id}/reclassify|hospitalise|discharge
    change: {
      id: ['invalid', 'not_found', 'conflict'],
      kind: ['invalid', 'conflict'],
      hospital: ['invalid'],
      at: ['invalid'],
    },
    // POST /api/v1/cases/{id}/contacts, per item and for the call
    contacts: {
      id: ['invalid', 'not_found'],
      contacts: ['invalid'],
      household: ['invalid'],
      building: ['invalid', 'not_found', 'too_large'],
      last_exposure: ['invalid'],
      person: ['invalid', 'not_found'],
      via: ['invalid', 'not_found'],
      kind: ['invalid'],
      setting: ['invalid'],
    },
    // GET /api/v1/cases, /epi, /chains/{id}
    read: {
      place: ['invalid', 'not_found'],
      from: ['invalid'],
      to: ['invalid'],
      cursor: ['invalid'],
      limit: ['invalid'],
      id: ['invalid', 'not_found', 'too_large'],
    },
  },
  // ---- plans (helper plans): the file page's check-in form and the key persons' filter.
  plans: {
    // POST /api/v1/people/{id}/checkins: api_plans.c and control_checkin_add (checkins.c).
    checkin: {
      id: ['invalid', 'not_found'],
      at: ['invalid'],
      temperature: ['invalid'],
      symptoms: ['invalid'],
    },
    // GET /api/v1/keypersons: the kind filter.
    keypersons: { kind: ['invalid'] },
  },
  tasks: {
    // POST /api/v1/tasks/{id}/done: control_task_done (control/tasks.c) and the handler.
    done: { id: ['invalid', 'not_found', 'conflict'], result: ['invalid'], note: ['invalid'] },
    // GET /api/v1/tasks, /tasks/overdue, /groups/needs (control/api_tasks.c).
    list: { place: ['invalid'], day: ['invalid'] },
  },
};

// Core's table: MU_E* name → stable code string.
function codeTable() {
  const out = {};
  for (const m of src('core/core.h').matchAll(/X\((MU_E\w+),\s*-?\d+,\s*\d+,\s*"(\w+)"/g)) out[m[1]] = m[2];
  assert.ok(Object.keys(out).length >= 10, 'read the error table of src/core/core.h');
  return out;
}

let i18n;
async function messages() {
  if (!i18n) i18n = await import(pathToFileURL(path.join(ROOT, 'web', 'src', 'i18n.js')).href);
  return i18n;
}
const at = (o, keys) => keys.reduce((x, k) => (x && typeof x === 'object' ? x[k] : undefined), o);
const CJK = /[\u4e00-\u9fff]/;

test('every literal refusal of the four routes is listed', () => {
  const table = codeTable();
  const listed = new Set();
  for (const page of Object.values(ROUTES))
    for (const fields of Object.values(page))
      for (const [f, codes] of Object.entries(fields)) for (const c of codes) listed.add(`${f}:${c}`);
  const found = [];
  for (const f of [
    'screening/tube.c',
    'screening/result.c',
    'screening/api_scan.c',
    'forces/supplies.c',
    'forces/api_posts.c',
    'control/api_cases.c',
    'control/cases.c',
    'control/contacts.c',
    'control/api_plans.c',
    'control/checkins.c',
    'control/tasks.c',
    'control/api_tasks.c',
  ]) {
    for (const m of src(f).matchAll(/(MU_E[A-Z]+),\s*"(\w+)"/g))
      found.push(`${table[m[1]]}|${m[2]}:${table[m[1]]}|${f}`);
  }
  assert.ok(found.length > 20, `read the refusals (${found.length})`);
  for (const x of found) {
    const [, pair, file] = x.split('|');
    assert.ok(listed.has(pair), `${file} refuses ${pair}: list it here and give it a message`);
  }
});

test('every literal refusal of the order routes is listed', () => {
  const table = codeTable();
  const listed = new Set();
  for (const fields of Object.values(ROUTES.orders))
    for (const [f, codes] of Object.entries(fields)) for (const c of codes) listed.add(`${f}:${c}`);
  let found = 0;
  for (const f of ['calls/orders.c', 'calls/api_orders.c']) {
    for (const m of src(f).matchAll(/(MU_E[A-Z]+),\s*"(\w+)"/g)) {
      found++;
      assert.ok(listed.has(`${m[2]}:${table[m[1]]}`), `${f} refuses ${m[2]}:${table[m[1]]}: list it here`);
    }
  }
  assert.ok(found >= 10, `read the refusals (${found})`);
});

test('every literal refusal of the forces routes is listed (src/forces/)', () => {
  const table = codeTable();
  const listed = new Set();
  for (const fields of Object.values(ROUTES.forces))
    for (const [f, codes] of Object.entries(fields)) for (const c of codes) listed.add(`${f}:${c}`);
  const files = ['orgs.c', 'form.c', 'deploy.c', 'api_orgs.c', 'api_deploy.c'].map((f) => `forces/${f}`);
  let n = 0;
  for (const f of files) {
    for (const m of src(f).matchAll(/(MU_E[A-Z]+),\s*"(\w+)"/g)) {
      n++;
      const pair = `${m[2]}:${table[m[1]]}`;
      assert.ok(listed.has(pair), `${f} refuses ${pair}: list it here and give it a message`);
    }
  }
  assert.ok(n > 15, `read the refusals (${n})`);
});

test('each listed refusal and every error code has a Chinese and an English message', async () => {
  const { zh, en } = await messages();
  const codes = Object.values(codeTable());
  for (const [page, routes] of Object.entries(ROUTES)) {
    for (const [lang, msgs, cjk] of [
      ['zh', zh, true],
      ['en', en, false],
    ]) {
      for (const [route, fields] of Object.entries(routes))
        for (const [field, list] of Object.entries(fields))
          for (const code of list) {
            const m = at(msgs, [page, 'why', route, field, code]);
            assert.equal(typeof m, 'string', `${lang} ${page}.why.${route}.${field}.${code}`);
            assert.equal(CJK.test(m), cjk, `${lang} ${page}.why.${route}.${field}.${code}: ${m}`);
          }
      for (const code of [...codes, 'network', 'http']) {
        const m = at(msgs, [page, 'why', 'any', code]);
        assert.equal(typeof m, 'string', `${lang} ${page}.why.any.${code}`);
        assert.equal(CJK.test(m), cjk, `${lang} ${page}.why.any.${code}: ${m}`);
      }
    }
  }
});

test('the lookup: route and field first, then the code, then the server text', async () => {
  const { zh } = await messages();
  const { reason } = await import(pathToFileURL(path.join(ROOT, 'web', 'src', 'lib', 'reasons.js')).href);
  const te = (k) => typeof at(zh, k.split('.')) === 'string';
  const t = (k) => at(zh, k.split('.'));
  const err = (code, field, message = 'server text') => ({ code, field, message });
  assert.equal(reason(err('not_found', 'person'), t, te, 'samp', 'scan'), zh.samp.why.scan.person.not_found);
  assert.equal(reason(err('invalid', 'colour'), t, te, 'samp', 'scan'), zh.samp.why.any.invalid);
  assert.equal(reason(err('invalid', null), t, te, 'samp', 'scan'), zh.samp.why.any.invalid);
  assert.equal(reason({ status: 0, message: 'network unavailable' }, t, te, 'lab', 'result'), zh.lab.why.any.network);
  assert.equal(reason(err('teapot', 'x', 'I am a teapot'), t, te, 'lab', 'result'), 'I am a teapot');
  assert.equal(reason(null, t, te, 'lab', 'result'), '');
});

// ---- calls (helper calls) ----
// The calls page (web/src/pages/Calls.vue) says the refusals of POST /api/v1/calls
// (`post`), of a call's ack/progress/close (`step`) and of the list (`list`) through
// `calls.why.<route>.<field>.<code>`, else the code's page-wide message (errorText).
const CALLS = {
  post: {
    place: ['invalid', 'not_found', 'forbidden'],
    category: ['invalid'],
    priority: ['invalid'],
    text: ['invalid'],
    phone: ['invalid'],
    person: ['invalid', 'not_found'],
  },
  step: { id: ['invalid', 'not_found', 'conflict'], note: ['invalid'], outcome: ['invalid'] },
  list: { state: ['invalid'] },
};

test('calls: every literal refusal is listed, with a Chinese and an English message', async () => {
  const table = codeTable();
  const listed = new Set();
  for (const fields of Object.values(CALLS))
    for (const [f, codes] of Object.entries(fields)) for (const c of codes) listed.add(`${f}:${c}`);
  let n = 0;
  for (const f of ['calls/calls.c', 'calls/api_calls.c']) {
    for (const m of src(f).matchAll(/(MU_E[A-Z]+),\s*"(\w+)"/g)) {
      n++;
      assert.ok(listed.has(`${m[2]}:${table[m[1]]}`), `${f} refuses ${m[2]}:${table[m[1]]}: list it in CALLS`);
    }
  }
  assert.ok(n >= 8, `read the refusals of calls (${n})`);
  const { zh, en } = await messages();
  for (const [lang, msgs, cjk] of [
    ['zh', zh, true],
    ['en', en, false],
  ])
    for (const [route, fields] of Object.entries(CALLS))
      for (const [field, codes] of Object.entries(fields))
        for (const code of codes) {
          const m = at(msgs, ['calls', 'why', route, field, code]);
          assert.equal(typeof m, 'string', `${lang} calls.why.${route}.${field}.${code}`);
          assert.equal(CJK.test(m), cjk, `${lang} calls.why.${route}.${field}.${code}: ${m}`);
        }
});
