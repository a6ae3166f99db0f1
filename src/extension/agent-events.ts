/**
 * Pure mapping between the agent (src/agent) and the panel/review (no `vscode` import, unit-tested
 * under plain Node): server findings → agent findings, agent events → panel notifications, and a
 * one-line description of a tool call.
 */
import type { AgentEvent, AgentFinding } from '../agent/index';
import type { DetailedWireFinding } from '../shared/lsp-protocol';
import { notification, type HostNotification, type PanelFinding } from '../webview/protocol';

/**
 * The agent's findings (ids `F1`, `F2`, ... in the given order) from the server's findings of the
 * proposal (`hipPorter/openFindings`); `line` is 1-based (the wire range's 0-based start line + 1).
 */
export function agentFindingsFromWire(findings: readonly DetailedWireFinding[]): AgentFinding[] {
  return findings.map((f, i) => {
    const a: AgentFinding = { id: `F${i + 1}`, code: f.code, severity: f.severity, message: f.message, line: f.range.start.line + 1, status: f.status };
    if (f.cuda !== undefined) a.cuda = f.cuda;
    if (f.hip !== undefined) a.hip = f.hip;
    return a;
  });
}

/** Agent findings as the panel lists them. */
export function panelFindings(findings: readonly AgentFinding[]): PanelFinding[] {
  return findings.map((f) => ({ id: f.id, code: f.code, severity: f.severity, line: f.line, message: f.message }));
}

/** One line describing a tool call's input for the panel (never the whole file): at most 160 characters per field, 300 for a summary. */
export function describeToolInput(name: string, input: unknown): string {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const clip = (s: unknown, n = 160) => {
    const t = String(s ?? '').replace(/\s+/g, ' ').trim();
    return t.length > n ? t.slice(0, n - 1) + '…' : t;
  };
  switch (name) {
    case 'edit_proposal':
      return `${clip(o.reason)}${Array.isArray(o.finding_ids) && o.finding_ids.length ? ` [${o.finding_ids.join(', ')}]` : ''}\n− ${clip(o.search, 120)}\n+ ${clip(o.replace, 120)}`;
    case 'read_file':
      return clip(o.path);
    case 'finish':
      return clip(o.summary, 300);
    default:
      return typeof input === 'string' ? clip(input) : clip(JSON.stringify(input));
  }
}

/**
 * The panel notification for an agent event, or undefined for events the panel does not show
 * (thinking, applied/rejected edits: the tool results cover them).
 * @param formatCost the agent library's `formatCost` (the library is loaded on first use, see agent-loader.ts)
 */
export function agentEventNotification(e: AgentEvent, formatCost: (usd: number | null) => string): HostNotification | undefined {
  switch (e.type) {
    case 'status':
      return notification('agent/status/changed', { phase: e.phase, step: e.step, maxSteps: e.maxSteps });
    case 'text':
      return notification('agent/text/appended', { delta: e.delta });
    case 'tool-call':
      return notification('agent/tool/called', { id: e.id, name: e.name, input: describeToolInput(e.name, e.input) });
    case 'tool-result':
      return notification('agent/tool/returned', { id: e.id, name: e.name, ok: e.ok, summary: e.summary });
    case 'retry':
      return notification('agent/retry/scheduled', { status: e.status ?? null, attempt: e.attempt, maxRetries: e.maxRetries, waitMs: e.waitMs, message: e.message });
    case 'usage': {
      const u = e.usage;
      return notification('agent/usage/updated', {
        usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens, requests: u.requests, cost: formatCost(e.costUsd) },
      });
    }
    case 'notice':
      return notification('agent/notice/posted', { level: e.level, message: e.message });
    default:
      return undefined;
  }
}
