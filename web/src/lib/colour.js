// The overview's colour scales and the text colour that reads on each (WCAG AA: 4.5:1).
// Coverage is a sequential blue scale — light for "not yet", dark for "done" — so red is
// kept for what it means everywhere else: positives.

// ColorBrewer "Blues" stops for coverage 0, 0.5, 0.8 and 1.
const COVERAGE_STOPS = [
  [0, [239, 243, 255]],
  [0.5, [107, 174, 214]],
  [0.8, [33, 113, 181]],
  [1, [8, 48, 107]],
];
// Positives: light to dark red by the share of the largest count on the map.
const POSITIVE_STOPS = [
  [0, [252, 187, 161]],
  [1, [103, 0, 13]],
];
export const NO_POSITIVE = '#eceff1'; // nobody recalled or positive
export const RECALL_ONLY = '#fdae6b'; // recalled, nobody positive yet

const hex = (rgb) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

function scale(stops, x) {
  const v = Math.max(0, Math.min(1, Number.isFinite(x) ? x : 0));
  for (let i = 1; i < stops.length; i++) {
    const [x1, c1] = stops[i];
    const [x0, c0] = stops[i - 1];
    if (v <= x1) {
      const f = x1 > x0 ? (v - x0) / (x1 - x0) : 0;
      return hex(c0.map((c, j) => c + (c1[j] - c) * f));
    }
  }
  return hex(stops[stops.length - 1][1]);
}

export const coverageScale = (x) => scale(COVERAGE_STOPS, x);

// The colour of a place on the positives map: red by positives (share of max), amber
// when only recalls are open, neutral when neither.
export function positivesColour(positive, recalled, max) {
  if (positive > 0) return scale(POSITIVE_STOPS, max > 1 ? (positive - 1) / (max - 1) : 1);
  return recalled > 0 ? RECALL_ONLY : NO_POSITIVE;
}

function luminance(colour) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) throw new Error(`not a #rrggbb colour: ${colour}`);
  const lin = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

// The WCAG contrast ratio of two #rrggbb colours (1 to 21).
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// Black or white, whichever reads better on background (at least 4.58:1 for any colour).
export const textOn = (background) =>
  contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#000000' : '#ffffff';
