// Numbers, shares, durations and times as the command centre shows them — always in the
// city's time zone (Asia/Shanghai), whatever the device's — and the colour of a coverage.
export const TIME_ZONE = 'Asia/Shanghai';

const nf = new Map();
function fmt(locale, opts) {
  const k = locale + JSON.stringify(opts);
  if (!nf.has(k)) nf.set(k, new Intl.NumberFormat(locale, opts));
  return nf.get(k);
}

export const num = (n, locale) => (n === null || n === undefined ? '—' : fmt(locale, {}).format(n));
export const pct = (x, locale) =>
  fmt(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x || 0);

export function dateTime(iso, locale) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

// A time of day with seconds, in the city's time: when figures were last good.
export function clock(d, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d);
}

export function hour(iso, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

// Seconds as "5 h 12 min" / "5小时12分钟" ("40 s" / "40秒" under a minute).
export function duration(s, locale) {
  if (s === null || s === undefined || s < 0) return '—';
  const zhl = locale.startsWith('zh');
  if (s < 60) return zhl ? `${Math.round(s)}秒` : `${Math.round(s)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  if (h) return zhl ? `${h}小时${m}分钟` : `${h} h ${m} min`;
  return zhl ? `${m}分钟` : `${m} min`;
}

// A file-name stamp in the city's time: 20260601-1830.
export function stamp() {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    })
      .formatToParts(new Date())
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}${p.month}${p.day}-${p.hour}${p.minute}`;
}

// The colour of a coverage: a sequential blue scale (lib/colour.js), not red for "not yet".
export { coverageScale as coverageColour } from './colour.js';
