// The lab's page: tubes received by scanning (an unknown one refused with its reason),
// the backlog, a results CSV with malformed rows and one for an unknown tube — every row
// sent, each refusal the server's, shown with its line while the good row is recorded —
// and an .xlsx file read in the browser. Nothing on the page names a person. At 360×740
// and 1440×900, in Chinese and English, the server's reasons read in the page's language,
// the page fits the screen and has no serious accessibility violation (issue 12).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const ExcelJS = require('exceljs');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious } = require('./lib/browser.js');

let env;
let srv;
let names;
let dir;

before(async () => {
  env = await startAll();
  srv = env.srv;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-lab-'));
  const s = await srv.as('staff103');
  let r = await srv.request('POST', '/api/v1/rounds', {
    session: s,
    body: { scope: srv.places.district, name: '实验室测试', pool: 5 },
  });
  const round = r.json.round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.community}%' ORDER BY p.id LIMIT 2`, // S1's own people
  ).map((x) => x.id);
  names = [];
  const scans = [];
  for (const [i, id] of ids.entries()) {
    const p = (await srv.get('admin', `/api/v1/people/${id}`)).json.person;
    names.push(p.name);
    scans.push({
      scan_id: crypto.randomUUID(),
      round,
      site: 'S1',
      tube: `LB-${i + 1}`,
      person: p.code,
      at: new Date().toISOString(),
    });
  }
  r = await srv.request('POST', '/api/v1/scans', { token: srv.tokens.site, body: { scans } });
  assert.ok(
    r.json.results.every((x) => x.status === 'ok'),
    r.text,
  );
  for (const tube of ['LB-1', 'LB-2']) {
    r = await srv.request('POST', `/api/v1/tubes/${tube}/seal`, { token: srv.tokens.site, body: {} });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await stopAll(env);
});

const waiting = (page) => page.textContent('[data-test=waiting]').then((s) => Number(s.replace(/\D/g, '')));

test('lab: receive by scanning, upload CSV and .xlsx results, refused rows with their reasons', async (t) => {
  const { context, page } = await newPage(env, { locale: 'en-US' });
  await shot(t, page, async () => {
    await signIn(env, page, 'lab1');
    await page.waitForURL(/\/lab/);
    await page.selectOption('[data-test=lab]', 'L1');
    await page.waitForFunction(() => document.querySelector('[data-test=waiting]').textContent.trim() === '0');
    for (const tube of ['LB-1', 'LB-2', 'NOPE-1']) {
      await page.fill('input[name=receive]', tube);
      await page.press('input[name=receive]', 'Enter');
      await page.waitForFunction(
        (tb) => [...document.querySelectorAll('[data-test=received] li')].some((li) => li.textContent.startsWith(tb)),
        tube,
      );
    }
    const received = await page.$$eval('[data-test=received] li', (lis) =>
      lis.map((li) => [li.className, li.textContent]),
    );
    assert.deepEqual(
      received.map((x) => x[0]),
      ['error', 'ok', 'ok'],
    );
    assert.match(received[0][1], /^NOPE-1 — \S/, "the unknown tube with the server's reason");
    await page.waitForFunction(() => document.querySelector('[data-test=waiting]').textContent.trim() === '2');

    // A CSV: a good row, a malformed row (line 3), a row for a tube the lab never had
    // (line 4), a Ct that is not a number (line 5).
    const csv = path.join(dir, 'results.csv');
    const at = new Date().toISOString();
    fs.writeFileSync(
      csv,
      `tube,result,ct_orf1ab,ct_n,at\r\nLB-1,negative,,,${at}\r\nLB-2,maybe,,,${at}\r\nNOPE-2,negative,,,${at}\r\nLB-2,positive,abc,,${at}\r\n`,
    );
    const sent = [];
    page.on('request', (q) => {
      if (q.method() === 'POST' && q.url().endsWith('/api/v1/results')) sent.push(q.postDataJSON());
    });
    await page.setInputFiles('[data-test=file]', csv);
    await page.waitForSelector('[data-test=upload]');
    assert.match(await page.textContent('[data-test=upload] p'), /results\.csv: 1 rows recorded, 3 refused/);
    const refused = await page.$$eval('[data-test=refused] tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    assert.deepEqual(
      refused.map((r) => r.slice(0, 2)),
      [
        ['3', 'LB-2'],
        ['4', 'NOPE-2'],
        ['5', 'LB-2'],
      ],
    );
    assert.match(refused[0][2], /negative, positive or invalid/);
    assert.ok(refused[1][2].length > 5, "the server's reason for the unknown tube");
    assert.match(refused[2][2], /ct_orf1ab must be a number/);
    // Every row went to the server, which judged each: the page refused none itself.
    assert.equal(sent.length, 1);
    assert.deepEqual(
      sent[0].results.map((x) => [x.tube, x.result, x.ct_orf1ab]),
      [
        ['LB-1', 'negative', null],
        ['LB-2', 'maybe', null],
        ['NOPE-2', 'negative', null],
        ['LB-2', 'positive', 'abc'],
      ],
    );
    assert.deepEqual(
      sql(srv.db, "SELECT barcode, state, result FROM tubes WHERE barcode LIKE 'LB-%' ORDER BY barcode"),
      [
        { barcode: 'LB-1', state: 3, result: 0 },
        { barcode: 'LB-2', state: 2, result: null },
      ],
    );
    await page.waitForFunction(() => document.querySelector('[data-test=waiting]').textContent.trim() === '1');

    // The same columns in an .xlsx, read in the browser.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('results');
    ws.addRow(['tube', 'result', 'ct_orf1ab', 'ct_n', 'at']);
    // A time without an offset is China time: the lab's wall clock.
    const local = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
    ws.addRow(['LB-2', 'positive', 31.2, 33.5, local]);
    const xlsx = path.join(dir, 'results.xlsx');
    await wb.xlsx.writeFile(xlsx);
    await page.setInputFiles('[data-test=file]', xlsx);
    await page.waitForFunction(() =>
      /results\.xlsx: 1 rows recorded, 0 refused/.test(
        document.querySelector('[data-test=upload] p')?.textContent || '',
      ),
    );
    await page.waitForFunction(() => document.querySelector('[data-test=waiting]').textContent.trim() === '0');
    const lb2 = sql(srv.db, "SELECT result, resulted_at FROM tubes WHERE barcode = 'LB-2'")[0];
    assert.equal(lb2.result, 1);
    assert.ok(Math.abs(lb2.resulted_at - Date.now() / 1000) < 120, `resulted_at ${lb2.resulted_at}: read as +08:00`);
    const text = await page.innerText('body');
    for (const n of names) assert.ok(!text.includes(n), 'the lab page names nobody');
    assert.equal(await waiting(page), 0);
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

for (const [w, h, locale] of [
  [360, 740, 'zh-CN'],
  [1440, 900, 'zh-CN'],
  [360, 740, 'en-US'],
  [1440, 900, 'en-US'],
]) {
  test(`lab ${w}×${h} ${locale}: the server's reasons in the page's language; fits; no serious axe violation`, async (t) => {
    const zh = locale === 'zh-CN';
    const { context, page } = await newPage(env, { locale });
    await page.setViewportSize({ width: w, height: h });
    await shot(t, page, async () => {
      await signIn(env, page, 'lab1');
      await page.waitForURL(/\/lab/);
      await page.selectOption('[data-test=lab]', 'L1');
      await page.fill('input[name=receive]', 'NOPE-9');
      await page.press('input[name=receive]', 'Enter');
      await page.waitForSelector('[data-test=received] li.error');
      const text = await page.textContent('[data-test=received] li.error');
      assert.match(text, zh ? /^NOPE-9 — 没有这支试管$/ : /^NOPE-9 — No such tube$/);
      // A results file with a row the server refuses: its reason in the page's language.
      const csv = path.join(dir, `refused-${w}-${locale}.csv`);
      fs.writeFileSync(csv, `tube,result,ct_orf1ab,ct_n,at\r\nNOPE-9,negative,,,${new Date().toISOString()}\r\n`);
      await page.setInputFiles('[data-test=file]', csv);
      await page.waitForSelector('[data-test=refused] tbody tr');
      const row = await page.$$eval('[data-test=refused] tbody td', (tds) => tds.map((td) => td.textContent));
      assert.deepEqual(row, ['2', 'NOPE-9', zh ? '没有这支试管' : 'No such tube']);
      assert.equal(await overflow(page), 0, 'no horizontal overflow');
      assert.deepEqual(await axeSerious(page), []);
      assert.deepEqual(page.errors, []);
    });
    await context.close();
  });
}
