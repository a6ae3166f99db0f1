/**
 * Browser code of the validation report (bundled by scripts/build.mjs to dist/validate-report.js):
 * a verdict per case, the error statistics of each output, a histogram of |error| per decade, and
 * for 2D outputs a heat map of where the sides differ; "Ask Agent" on failing cases. Talks to the
 * host only through ./protocol.ts; no Node or `vscode` imports; text only through `textContent`.
 * Colours are the theme's CSS variables (media/validate-report.css).
 */
import { isValidateNotification, VIEW_HISTOGRAM_MIN_EXP, type ValidateCommand, type ViewCase, type ViewOutput, type ViewReport, type ViewStats } from './protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';

function send(c: Omit<ValidateCommand, 'kind'>): void {
  vscode.postMessage({ kind: 'command', ...c });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, ...children: Array<Node | string | undefined>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) if (c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function num(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'NaN/Inf';
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

const LABEL = { pass: 'pass', fail: 'fail', nondeterministic: 'nondeterministic', error: 'error' } as const;

/** Histogram of |error| per decade as an SVG bar chart (log-scaled heights); exact matches left out. */
function histogram(s: ViewStats): SVGSVGElement | undefined {
  const bins = s.histogram.slice(1);
  const first = bins.findIndex((n) => n > 0);
  if (first < 0) return undefined;
  let last = bins.length - 1;
  while (last > first && bins[last] === 0) last--;
  const lo = Math.max(0, first - 1);
  const hi = Math.min(bins.length - 1, last + 1);
  const shown = bins.slice(lo, hi + 1);
  const w = 28;
  const h = 90;
  const max = Math.log10(Math.max(...shown) + 1);
  const root = svg('svg', { width: shown.length * w + 10, height: h + 34, role: 'img', class: 'histogram' });
  root.append(svg('title', {}));
  root.firstChild!.textContent = `|error| per decade, ${s.count - s.histogram[0]!} inexact of ${s.count}`;
  shown.forEach((n, i) => {
    const bh = n === 0 ? 0 : Math.max(2, (Math.log10(n + 1) / max) * h);
    const r = svg('rect', { x: 5 + i * w, y: h - bh, width: w - 4, height: bh, class: 'bar' });
    const t = svg('title', {});
    const exp = lo + i + VIEW_HISTOGRAM_MIN_EXP;
    t.textContent = `${n} element(s) with |error| in [1e${exp}, 1e${exp + 1})`;
    r.append(t);
    root.append(r);
    const label = svg('text', { x: 5 + i * w + (w - 4) / 2, y: h + 14, class: 'axis', 'text-anchor': 'middle' });
    label.textContent = `1e${exp}`;
    root.append(label);
    if (n > 0) {
      const c = svg('text', { x: 5 + i * w + (w - 4) / 2, y: h + 28, class: 'axis', 'text-anchor': 'middle' });
      c.textContent = String(n);
      root.append(c);
    }
  });
  return root;
}

/** Heat map of max |error| per cell (darker: larger; outlined: NaN/Inf mismatch). */
function heatmap(s: ViewStats): SVGSVGElement | undefined {
  const hm = s.heatmap;
  if (!hm || !hm.maxAbs.some((v) => v === null || v > 0)) return undefined;
  const size = Math.max(3, Math.floor(320 / Math.max(hm.rows, hm.cols)));
  const finite = hm.maxAbs.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  const maxLog = finite.length ? Math.log10(Math.max(...finite)) : 0;
  const minLog = finite.length ? Math.log10(Math.min(...finite)) : 0;
  const root = svg('svg', { width: hm.cols * size + 2, height: hm.rows * size + 2, role: 'img', class: 'heatmap' });
  const title = svg('title', {});
  title.textContent = `where the outputs differ: ${hm.rows}×${hm.cols} cells of ${hm.cellRows}×${hm.cellCols} elements`;
  root.append(title, svg('rect', { x: 0, y: 0, width: hm.cols * size + 2, height: hm.rows * size + 2, class: 'frame' }));
  hm.maxAbs.forEach((v, k) => {
    if (v === 0) return;
    const row = Math.floor(k / hm.cols);
    const col = k % hm.cols;
    const bad = v === null || !Number.isFinite(v);
    const level = bad ? 1 : maxLog === minLog ? 1 : 0.25 + (0.75 * (Math.log10(v) - minLog)) / (maxLog - minLog);
    const r = svg('rect', { x: 1 + col * size, y: 1 + row * size, width: size, height: size, class: bad ? 'cell bad' : 'cell', 'fill-opacity': level.toFixed(2) });
    const t = svg('title', {});
    t.textContent = `rows ${row * hm.cellRows}..${(row + 1) * hm.cellRows - 1}, cols ${col * hm.cellCols}..${(col + 1) * hm.cellCols - 1}: max |error| ${num(v)}`;
    r.append(t);
    root.append(r);
  });
  return root;
}

function outputView(o: ViewOutput): HTMLElement {
  const box = el('section', `output ${o.verdict}`);
  const shape = o.shape ? ` [${o.shape.join('×')}]` : '';
  box.append(el('h3', undefined, el('span', `verdict ${o.verdict}`, LABEL[o.verdict]), ` ${o.name} `, el('span', 'muted', `${o.format}${o.dtype ? ` ${o.dtype}` : ''}${shape}`)));
  box.append(el('p', 'message', o.message));
  const s = o.stats ?? o.text?.numeric;
  if (s) {
    const table = el('table', 'stats');
    const row = (k: string, v: string): void => void table.append(el('tr', undefined, el('th', undefined, k), el('td', undefined, v)));
    row('elements compared', String(s.count));
    row('bitwise different', String(s.bitDifferences));
    row('over tolerance', String(s.overTolerance));
    row('max abs error', num(s.maxAbsError));
    row('max rel error', num(s.maxRelError));
    if (o.stats) row('max ULP distance', String(s.maxUlps));
    row('NaN / Inf / signed-zero mismatches', `${s.nanMismatches} / ${s.infMismatches} / ${s.signedZeroMismatches}`);
    if (o.text) {
      row('lines (identical)', `${o.text.lines} (${o.text.identicalLines})`);
      row('numbers in differing lines / text mismatches / integer mismatches', `${o.text.numbers} / ${o.text.textMismatches} / ${o.text.integerMismatches}`);
    }
    for (const side of ['reference', 'candidate'] as const) {
      const sc = o.selfCheck[side];
      if (sc) row(`${side} runs`, sc.message);
    }
    box.append(table);
    const charts = el('div', 'charts');
    const hist = histogram(s);
    if (hist) charts.append(el('figure', undefined, hist, el('figcaption', undefined, 'elements per decade of |error| (log scale)')));
    const heat = heatmap(s);
    if (heat) charts.append(el('figure', undefined, heat, el('figcaption', undefined, 'where they differ (darker: larger error; red outline: NaN/Inf)')));
    if (charts.childElementCount > 0) box.append(charts);
  }
  return box;
}

function caseView(c: ViewCase): HTMLElement {
  const d = el('details', `case ${c.verdict}`);
  d.open = c.verdict !== 'pass';
  const runs = (side: 'reference' | 'candidate'): string =>
    c.runs[side].map((r) => (r.timedOut ? 'timeout' : r.signal ?? `exit ${r.exitCode}`) + ` (${(r.durationMs / 1000).toFixed(2)} s)`).join(', ') || 'not run';
  d.append(el('summary', undefined, el('span', `verdict ${c.verdict}`, LABEL[c.verdict]), ` ${c.name}`));
  const body = el('div', 'case-body');
  body.append(el('p', 'muted', `reference: ${c.command.reference} — ${runs('reference')}`), el('p', 'muted', `candidate: ${c.command.candidate} — ${runs('candidate')}`));
  if (c.reasons.length) body.append(el('ul', 'reasons', ...c.reasons.map((r) => el('li', undefined, r))));
  if (c.verdict === 'fail' || c.verdict === 'nondeterministic') {
    const b = el('button', undefined, 'Ask Agent');
    b.title = 'Send this divergence and the case source to the agent; its answer comes back as a reviewable proposal';
    b.dataset['case'] = c.name;
    b.addEventListener('click', () => send({ method: 'validate/case/askAgent', params: { caseName: c.name } }));
    const status = el('span', 'agent-status muted');
    status.dataset['case'] = c.name;
    body.append(el('div', 'actions', b, status));
  }
  for (const o of c.outputs) body.append(outputView(o));
  d.append(body);
  return d;
}

function render(r: ViewReport): void {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const n = r.cases.length;
  const head = el('header', `summary ${r.passed ? 'pass' : 'fail'}`);
  head.append(el('h2', undefined, `${r.passed ? 'PASS' : 'FAIL'}: ${r.counts.pass}/${n} cases pass`));
  const parts = (['fail', 'nondeterministic', 'error'] as const).filter((k) => r.counts[k] > 0).map((k) => `${r.counts[k]} ${k}`);
  if (parts.length) head.append(el('p', undefined, parts.join(', ')));
  const where = (s: ViewReport['reference']): string => (s.host === 'local' ? `this machine (${s.dir})` : s.host) + (s.error ? ` — ${s.error}` : '');
  head.append(
    el('p', 'muted', `${r.mode === 'hip-vs-hip' ? 'ROCm box against ROCm box' : 'CUDA original against HIP port'}; ${r.runsPerSide} run(s) per side; ${new Date(r.startedAt).toLocaleString()}`),
    el('p', 'muted', `reference: ${where(r.reference)}`),
    el('p', 'muted', `candidate: ${where(r.candidate)}`),
    el('p', 'muted', `${(r.timings.totalMs / 1000).toFixed(1)} s in all: programs ${(r.timings.runMs / 1000).toFixed(1)} s, fetching ${(r.timings.fetchMs / 1000).toFixed(1)} s, comparing ${(r.timings.compareMs / 1000).toFixed(2)} s`),
  );
  const md = el('button', 'secondary', 'Open Markdown Report');
  md.addEventListener('click', () => send({ method: 'validate/report/openMarkdown', params: {} }));
  head.append(el('div', 'actions', md));
  app.append(head, ...r.cases.map(caseView));
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data;
  if (!isValidateNotification(m)) return;
  if (m.method === 'validate/report/replace') {
    vscode.setState({ report: m.params.report });
    render(m.params.report);
  } else {
    document.querySelectorAll<HTMLElement>('.agent-status').forEach((s) => {
      if (s.dataset['case'] === m.params.caseName) s.textContent = m.params.message;
    });
  }
});

const saved = vscode.getState() as { report?: ViewReport } | undefined;
if (saved?.report) render(saved.report);
send({ method: 'validate/view/ready', params: {} });
