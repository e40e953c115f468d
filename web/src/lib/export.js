// Lists leave the browser as CSV (UTF-8 with a byte-order mark, so that Excel reads the
// Chinese right; cells quoted as RFC 4180 says, formulas defused, long codes kept as
// text) or as .xlsx (exceljs, loaded only when asked for).
const FORMULA = /^[=+\-@\t\r]/;
// A long number Excel would turn into 4.40103E+19 (it keeps 15 digits) or strip of its
// leading zeros: place codes (up to 24 digits), ID numbers, phones. Written as the formula
// ="…", which Excel shows as that text; safe because the cell holds digits only — any
// other text starting with = is defused above, never wrapped.
const LONG_DIGITS = /^\d{12,}$/;

export function cell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (LONG_DIGITS.test(s)) s = `="${s}"`;
  else if (FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// The digits of a cell written as ="…" by cell(); any other text as it is.
const unText = (f) => {
  const m = /^="(\d{12,})"$/.exec(f);
  return m ? m[1] : f;
};

// columns: [{key, label}]; rows: objects.
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => cell(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c.key])).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export function download(blob, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function downloadCsv(columns, rows, filename) {
  download(new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }), filename);
}

export async function downloadXlsx(columns, rows, filename, sheet) {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Muster';
  const ws = wb.addWorksheet(sheet.slice(0, 31));
  ws.columns = columns.map((c) => ({ header: c.label, key: c.key, width: Math.max(10, c.label.length * 2 + 4) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(columns.reduce((o, c) => ({ ...o, [c.key]: r[c.key] }), {}));
  const buf = await wb.xlsx.writeBuffer();
  download(new Blob([buf], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), filename);
}

// A list as the user chose: kind 'csv' or 'xlsx', name without its extension.
export async function exportRows(kind, columns, rows, name, sheet) {
  if (kind === 'csv') downloadCsv(columns, rows, `${name}.csv`);
  else await downloadXlsx(columns, rows, `${name}.xlsx`, sheet);
}

// Reads a spreadsheet's first sheet as rows of strings (the header row included).
export async function readXlsx(file) {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await file.arrayBuffer());
  const ws = wb.worksheets[0];
  const rows = [];
  if (!ws) return rows;
  ws.eachRow({ includeEmpty: true }, (row) => {
    const vals = [];
    for (let i = 1; i <= ws.columnCount; i++) {
      const v = row.getCell(i).value;
      vals.push(
        v === null || v === undefined
          ? ''
          : v instanceof Date
            ? v.toISOString()
            : typeof v === 'object' && 'text' in v
              ? String(v.text)
              : String(v),
      );
    }
    rows.push(vals);
  });
  return rows;
}

// Parses CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of strings; a
// byte-order mark is dropped, and a long number written as ="…" (as cell() writes it)
// reads back as its digits.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(unText(f));
      f = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(unText(f));
      rows.push(row);
      row = [];
      f = '';
    } else f += c;
  }
  if (f !== '' || row.length) {
    row.push(unText(f));
    rows.push(row);
  }
  return rows;
}
