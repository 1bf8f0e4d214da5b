#!/usr/bin/env node
// Reads the scaling.csv that `mfsim run examples/birth-death.yaml --local --out DIR` writes and prints,
// per series (birth-death rate): L_inf(t) of the fit m_n = L_inf + a/n (+ b/n^2) with its interval and
// p-value at a few times, the first recorded time at which L_inf(t) falls below the finite-width excess
// a(t)/n_max, and the power law's exponent alpha with its reduced chi-square and p-value at the last time.
// Usage: node examples/birth-death-report.mjs DIR [n_max = 512]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node examples/birth-death-report.mjs DIR [n_max]');
  process.exit(2);
}
const nMax = Number(process.argv[3] ?? 512);

/** RFC 4180 rows: quoted fields may hold commas and doubled quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const [header, ...body] = parseCsv(readFileSync(join(dir, 'scaling.csv'), 'utf8'));
const col = (name) => header.indexOf(name);
const num = (row, name) => (row[col(name)] === '' ? null : Number(row[col(name)]));
const fmt = (v, digits = 3) => (v === null ? '-' : v.toPrecision(digits));

const bySeries = new Map();
for (const row of body) {
  if (row.length < header.length) continue;
  const key = row[col('series')];
  bySeries.set(key, [...(bySeries.get(key) ?? []), row]);
}

for (const [series, rows] of bySeries) {
  console.log(`\nseries ${series}`);
  const fitted = rows.filter((r) => num(r, 'lInf') !== null && num(r, 'a') !== null);
  console.log('      time     L_inf  (95% interval)          a/n_max   fit p');
  const every = Math.max(1, Math.floor(fitted.length / 8));
  fitted.forEach((r, i) => {
    if (i % every !== 0 && i !== fitted.length - 1) return;
    console.log(`${fmt(num(r, 'time'), 4).padStart(10)}  ${fmt(num(r, 'lInf')).padStart(8)}  (${fmt(num(r, 'lInfLower'))} .. ${fmt(num(r, 'lInfUpper'))})`.padEnd(48)
      + `${fmt(num(r, 'a') / nMax).padStart(8)}  ${fmt(num(r, 'finiteWidthPValue'), 2).padStart(7)}`);
  });
  const below = fitted.find((r) => num(r, 'lInf') < num(r, 'a') / nMax);
  console.log(below
    ? `L_inf(t) < a(t)/${nMax} first at t = ${num(below, 'time')} (L_inf = ${fmt(num(below, 'lInf'))}, a/${nMax} = ${fmt(num(below, 'a') / nMax)}, fit p = ${fmt(num(below, 'finiteWidthPValue'), 2)})`
    : `L_inf(t) never falls below a(t)/${nMax} in this run`);
  const last = rows.filter((r) => num(r, 'alpha') !== null).at(-1);
  if (last) {
    console.log(`power law at t = ${num(last, 'time')}: alpha = ${fmt(num(last, 'alpha'))} (${fmt(num(last, 'lower'))} .. ${fmt(num(last, 'upper'))}), `
      + `chi2/dof = ${fmt(num(last, 'reducedChiSquare'))}, p = ${fmt(num(last, 'pValue'), 2)}, ${row(last, 'powerLaw')}; local slopes ${row(last, 'localSlopes')}`);
  }
}

function row(r, name) {
  return r[col(name)];
}
