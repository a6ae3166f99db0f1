/**
 * Browser code of the agent panel (bundled by scripts/build.mjs to dist/webview.js). Renders the
 * {@link PanelState} kept in step with the host through src/webview/protocol.ts, and sends the
 * user's clicks back as commands. No Node or `vscode` imports. State survives hiding the view
 * through `vscode.setState/getState`, and the host re-sends it on `panel/view/ready`.
 * All text is inserted with `textContent` (never as HTML).
 */
import {
  command,
  initialState,
  isHostNotification,
  isPanelState,
  reduce,
  type CommandMethod,
  type CommandParams,
  type PanelState,
  type TranscriptItem,
} from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = vscode.getState();
let state: PanelState = isPanelState(saved) ? saved : initialState();

function send<M extends CommandMethod>(method: M, params: CommandParams[M]): void {
  vscode.postMessage(command(method, params));
}

// ------------------------------------------------------------------------------------------------
// DOM helpers

type Attrs = Record<string, string | undefined>;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string | undefined>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

/** A real <button> with a stable `data-key` (focus is restored to it after re-rendering). */
function button(label: string, key: string, onClick: () => void, opts: { secondary?: boolean; pressed?: boolean; title?: string; disabled?: boolean } = {}): HTMLButtonElement {
  const b = el('button', {
    type: 'button',
    'data-key': key,
    class: opts.secondary ? 'secondary' : undefined,
    title: opts.title,
    'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed),
  }, label);
  if (opts.disabled) b.disabled = true;
  b.addEventListener('click', onClick);
  return b;
}

const fmt = (n: number) => n.toLocaleString('en-US');

const STATUS_TEXT: Record<PanelState['status'], string> = {
  idle: 'Idle',
  running: 'Running',
  complete: 'Complete',
  incomplete: 'Incomplete',
  cancelled: 'Stopped',
  failed: 'Failed',
  deterministic: 'Rules only',
};

function transcriptItem(t: TranscriptItem): HTMLElement {
  switch (t.kind) {
    case 'text':
      return el('div', { class: 'item text' }, t.text);
    case 'tool': {
      const mark = t.ok === undefined ? 'running' : t.ok ? 'ok' : 'error';
      return el(
        'div',
        { class: `item tool ${mark}`, 'data-tool': t.name },
        el('div', { class: 'tool-head' }, el('span', { class: `dot ${mark}`, 'aria-hidden': 'true' }), el('span', { class: 'tool-name' }, t.name), el('span', { class: 'tool-state' }, t.ok === undefined ? 'running…' : t.ok ? 'ok' : 'rejected')),
        t.input ? el('pre', { class: 'tool-input' }, t.input) : undefined,
        t.result !== undefined ? el('div', { class: 'tool-result' }, t.result) : undefined,
      );
    }
    case 'retry':
      return el('div', { class: 'item retry', role: 'status' }, `Retry ${t.attempt}/${t.maxRetries} in ${(t.waitMs / 1000).toFixed(1)} s${t.status !== null ? ` (HTTP ${t.status})` : ''}: ${t.message}`);
    case 'notice':
      return el('div', { class: `item notice ${t.level}`, role: t.level === 'error' ? 'alert' : 'status' }, t.message);
  }
}

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
  const log = document.getElementById('transcript');
  const stick = !log || log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  const s = state;
  const parts: Array<HTMLElement | undefined> = [];

  // Header: file, status, step, Stop.
  parts.push(
    el(
      'header',
      { class: 'head' },
      el('div', { class: 'file', title: s.target ? `${s.file ?? ''} → ${s.target}` : s.file }, s.file ? `${s.file}${s.target && s.target !== s.file ? ` → ${s.target}` : ''}` : 'No file ported yet'),
      el(
        'div',
        { class: 'status-line' },
        el('span', { class: `badge ${s.status}`, id: 'run-status' }, STATUS_TEXT[s.status]),
        s.status === 'running' && s.step !== undefined ? el('span', { class: 'muted' }, ` step ${s.step}/${s.maxSteps ?? '?'}${s.phase ? ` · ${s.phase}` : ''}`) : undefined,
        s.model && s.status !== 'deterministic' ? el('span', { class: 'muted' }, ` · ${s.model}`) : undefined,
      ),
      el(
        'div',
        { class: 'actions' },
        s.status === 'running' ? button('Stop', 'stop', () => send('agent/run/stop', {}), { title: 'Stop the agent now' }) : undefined,
        !s.hasKey ? button('Set API Key…', 'set-key', () => send('settings/key/set', {}), { secondary: true, title: 'Store an Anthropic API key in VS Code SecretStorage' }) : undefined,
      ),
    ),
  );
  if (s.status === 'idle' && !s.reviewing) {
    parts.push(el('p', { class: 'muted intro' }, 'Run "HIP Porter: Port File to HIP" on a .cu file. The rules translate it; with an API key, the agent then works on the findings rules cannot fix safely. Nothing is written until you accept.'));
  }
  if (s.summary || s.error) {
    parts.push(el('div', { class: `summary ${s.error ? 'error' : ''}`, role: s.error ? 'alert' : undefined }, s.error ? `Error: ${s.error}` : s.summary));
  }

  // Findings.
  if (s.findings.length) {
    const list = el('ul', { class: 'findings' });
    for (const f of s.findings) {
      list.append(el('li', { class: `finding ${f.severity}` }, el('span', { class: 'code' }, `${f.id} ${f.code}`), el('span', { class: 'muted' }, ` line ${f.line}: `), f.message));
    }
    parts.push(el('details', { class: 'section', open: '' }, el('summary', {}, `Findings ${s.status === 'deterministic' ? 'left for you' : 'addressed'} (${s.findings.length})`), list));
  }

  // Transcript.
  if (s.transcript.length) {
    const t = el('div', { id: 'transcript', class: 'transcript', role: 'log', 'aria-label': 'Agent transcript', tabindex: '0' });
    for (const item of s.transcript) t.append(transcriptItem(item));
    parts.push(t);
  }

  // Usage.
  if (s.usage) {
    const u = s.usage;
    parts.push(
      el('div', { class: 'usage', id: 'usage' }, `Tokens in ${fmt(u.inputTokens)} · out ${fmt(u.outputTokens)} · cache read ${fmt(u.cacheReadTokens)} · cache write ${fmt(u.cacheWriteTokens)} · ${u.requests} request(s) · ${u.cost}`),
    );
  }

  // Hunks.
  if (s.reviewing) {
    const counts = { pending: 0, accepted: 0, rejected: 0 };
    for (const h of s.hunks) counts[h.decision]++;
    const list = el('ul', { class: 'hunks', 'aria-label': 'Proposed changes' });
    for (const h of s.hunks) {
      list.append(
        el(
          'li',
          { class: `hunk ${h.decision}`, 'data-hunk': h.id },
          el('div', { class: 'hunk-label' }, el('span', { class: `dot ${h.decision}`, 'aria-hidden': 'true' }), h.label),
          h.reason ? el('div', { class: 'hunk-reason' }, h.reason) : undefined,
          el(
            'div',
            { class: 'hunk-actions' },
            button(h.decision === 'accepted' ? 'Accepted' : 'Accept', `accept:${h.id}`, () => send('review/hunk/accept', { id: h.id }), { pressed: h.decision === 'accepted', title: 'Take this change' }),
            button(h.decision === 'rejected' ? 'Rejected' : 'Reject', `reject:${h.id}`, () => send('review/hunk/reject', { id: h.id }), { pressed: h.decision === 'rejected', secondary: true, title: 'Keep the original lines' }),
          ),
        ),
      );
    }
    parts.push(
      el(
        'section',
        { class: 'section review', 'aria-label': 'Review' },
        el('h2', {}, `Changes (${s.hunks.length}): ${counts.accepted} accepted, ${counts.rejected} rejected, ${counts.pending} undecided`),
        list,
        el(
          'div',
          { class: 'actions bottom' },
          button('Accept All', 'accept-all', () => send('review/all/accept', {}), { secondary: true }),
          button('Reject All', 'reject-all', () => send('review/all/reject', {}), { secondary: true }),
          button('Review Diff', 'review-diff', () => send('review/diff/open', {}), { secondary: true }),
          button(`Write ${s.target ?? ''}`.trim(), 'write', () => send('review/proposal/write', {}), { title: 'Write the accepted changes (one undoable edit)' }),
        ),
      ),
    );
  }

  app.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
  const newLog = document.getElementById('transcript');
  if (newLog && stick) newLog.scrollTop = newLog.scrollHeight;
  if (focusedKey) (app.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`) as HTMLElement | null)?.focus();
}

let scheduled = false;
function scheduleRender(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (isHostNotification(m)) {
    state = reduce(state, m);
    vscode.setState(state);
    scheduleRender();
  }
});

render();
send('panel/view/ready', {});
