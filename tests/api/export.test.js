// The web app's CSV export (web/src/lib/export.js), run in Node without a server: a long
// code (a 20- or 24-digit place code, an 18-digit ID number) is written so that Excel
// keeps it as text (="…", digits only inside), formulas stay defused (a leading quote),
// and the app's own parser reads both back as they were (issue 12, issue 11 #12).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const load = () => import(pathToFileURL(path.resolve(__dirname, '../../web/src/lib/export.js')).href);

test('long codes stay text in Excel; nothing else becomes a formula', async () => {
  const { cell, toCsv, parseCsv } = await load();
  assert.equal(cell('44010300100100100101'), '"=""44010300100100100101"""');
  assert.equal(cell('440103001001001001010101'), '"=""440103001001001001010101"""');
  assert.equal(cell('440103198001010011'), '"=""440103198001010011"""');
  assert.equal(cell(44010300100n), '44010300100'); // 11 digits: Excel keeps them
  assert.equal(cell('0201234'), '0201234');
  // Formula injection stays defused, whatever looks like a number after it.
  assert.equal(
    cell('=HYPERLINK("http://x","44010300100100100101")'),
    '"\'=HYPERLINK(""http://x"",""44010300100100100101"")"',
  );
  assert.equal(cell('="44010300100100100101"'), '"\'=""44010300100100100101"""');
  assert.equal(cell('=1+1'), "'=1+1");
  assert.equal(cell('+8613800138000'), "'+8613800138000");
  assert.equal(cell('-5'), "'-5");
  assert.equal(cell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(cell('\t44010300100100100101'), "'\t44010300100100100101");
  assert.equal(cell('4401030010010010010a'), '4401030010010010010a');
  assert.equal(cell(null), '');

  const cols = [
    { key: 'code', label: '户' },
    { key: 'name', label: '姓名' },
    { key: 'note', label: '备注' },
  ];
  const rows = [
    { code: '440103001001001001010101', name: '张三', note: '=cmd|"/C calc"!A0' },
    { code: '44010300100100100101', name: '李, 四', note: 'a "quoted" word' },
  ];
  const csv = toCsv(cols, rows);
  assert.ok(csv.startsWith('\ufeff户,姓名,备注\r\n'));
  assert.ok(csv.includes('"=""440103001001001001010101"""'));
  const back = parseCsv(csv);
  assert.deepEqual(back[0], ['户', '姓名', '备注']);
  assert.deepEqual(back[1], ['440103001001001001010101', '张三', '\'=cmd|"/C calc"!A0']);
  assert.deepEqual(back[2], ['44010300100100100101', '李, 四', 'a "quoted" word']);
  // Only a digits-only ="…" is unwrapped on reading.
  assert.deepEqual(parseCsv('"=""1+1"""\r\n'), [['="1+1"']]);
});
