// Issue 12, item 4: the sampler's and the lab's pages show every refusal the scan, seal,
// receipt and result routes can answer in the page's language. The routes' refusals are
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
  for (const f of ['screening/tube.c', 'screening/result.c', 'screening/api_scan.c']) {
    for (const m of src(f).matchAll(/(MU_E[A-Z]+),\s*"(\w+)"/g))
      found.push(`${table[m[1]]}|${m[2]}:${table[m[1]]}|${f}`);
  }
  assert.ok(found.length > 20, `read the refusals (${found.length})`);
  for (const x of found) {
    const [, pair, file] = x.split('|');
    assert.ok(listed.has(pair), `${file} refuses ${pair}: list it here and give it a message`);
  }
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
