/**
 * The tools the porting agent may call, with their JSON schemas (sent to the model) and
 * validating handlers. A handler never throws for bad model input: every problem (wrong types,
 * missing fields, unknown tool, a path outside the workspace, an edit that does not match exactly
 * once) becomes an `ok: false` outcome that goes back to the model as a `tool_result` with
 * `is_error: true`, so the model can correct itself.
 */

import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { checkSourceFile } from '../core/files';
import { formatFinding } from './prompts';
import { applyEditBlock, type AgentChange, type AgentHost, type AgentInput } from './types';

/** `read_file` refuses files larger than this many bytes. */
export const MAX_READ_BYTES = 256 * 1024;
/** Compiler output returned to the model is capped at this many characters (head kept). */
export const MAX_COMPILE_OUTPUT_CHARS = 12_000;

/** Tool names, as the model calls them. */
export type ToolName = 'read_file' | 'list_findings' | 'edit_proposal' | 'compile_proposal' | 'finish';

/** Tool definitions sent with every request (static, so they are part of the cached prefix). */
export const TOOL_DEFINITIONS: Tool[] = [
  {
    name: 'read_file',
    description:
      'Read a text file of the workspace (e.g. a header the proposal includes). Path relative to the workspace root, "/" separators. Files outside the workspace, credential files (.env, keys) and files over 256 KB are refused.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Workspace-relative path, e.g. "src/common.cuh".' } },
      required: ['path'],
      additionalProperties: false,
    },
  },
  {
    name: 'list_findings',
    description: 'List the open findings of this file again, with which ones your applied edits already cite.',
    input_schema: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'edit_proposal',
    description:
      'Replace one exact piece of the current proposal. "search" must occur exactly once in the proposal (copy it verbatim, whitespace included, without line numbers); otherwise the edit is rejected and nothing changes. Keep edits small.',
    input_schema: {
      type: 'object',
      properties: {
        search: { type: 'string', description: 'Exact text to replace; must occur exactly once.' },
        replace: { type: 'string', description: 'Replacement text (may be empty to delete).' },
        reason: { type: 'string', description: 'One sentence a reviewer can check: why this change is right on AMD.' },
        finding_ids: {
          type: 'array',
          items: { type: 'string' },
          description: 'Ids of the findings this edit answers, e.g. ["F2"]. Empty only for changes no finding covers (e.g. a build error).',
        },
      },
      required: ['search', 'replace', 'reason', 'finding_ids'],
      additionalProperties: false,
    },
  },
  {
    name: 'compile_proposal',
    description: 'Compile the current proposal with hipcc (when a build is configured) and return the compiler output.',
    input_schema: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'finish',
    description: 'End the run. Summarize what changed per finding and what is left for a human.',
    input_schema: {
      type: 'object',
      properties: { summary: { type: 'string', description: 'Short summary for the reviewer.' } },
      required: ['summary'],
      additionalProperties: false,
    },
  },
];

/** Mutable state of one run that tools read and change. The proposal uses LF line endings. */
export interface ToolState {
  proposal: string;
  changes: AgentChange[];
  /** Set by `finish`. */
  finishedSummary?: string;
}

/** What the tools need besides the state. */
export interface ToolContext {
  input: AgentInput;
  host: AgentHost;
  signal: AbortSignal;
  state: ToolState;
}

/** The outcome of one tool call. `content` goes to the model; `summary` (one line) to the host. */
export interface ToolOutcome {
  ok: boolean;
  content: string;
  summary: string;
  /** For `edit_proposal`: the change that was applied. */
  applied?: AgentChange;
  /** For a rejected `edit_proposal`: what was asked. */
  rejected?: { search: string; findingIds: string[]; reason: string };
}

const fail = (content: string, summary = content): ToolOutcome => ({ ok: false, content, summary });

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Checks a tool input object against the fields a tool needs. Returns an error text for the model,
 * or undefined when the input is fine. `spec` maps field name to 'string' | 'string[]'.
 */
function checkInput(
  tool: string,
  input: unknown,
  spec: Record<string, 'string' | 'string[]'>,
): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return `Invalid input for ${tool}: expected a JSON object, got ${describeType(input)}.`;
  }
  const obj = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, kind] of Object.entries(spec)) {
    const v = obj[key];
    if (v === undefined) problems.push(`missing required field "${key}" (${kind})`);
    else if (kind === 'string' && typeof v !== 'string') problems.push(`"${key}" must be a string, got ${describeType(v)}`);
    else if (kind === 'string[]' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      problems.push(`"${key}" must be an array of strings, got ${describeType(v)}`);
    }
  }
  for (const key of Object.keys(obj)) if (!(key in spec)) problems.push(`unknown field "${key}"`);
  return problems.length ? `Invalid input for ${tool}: ${problems.join('; ')}. Nothing was done.` : undefined;
}

/** 1-based line of a UTF-16 offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Lines `[from, to]` (1-based, inclusive) of `text`, numbered like the proposal in the prompt. */
function excerpt(text: string, from: number, to: number): string {
  const lines = text.split('\n');
  const a = Math.max(1, from);
  const b = Math.min(lines.length, to);
  const out: string[] = [];
  for (let n = a; n <= b; n++) out.push(`${String(n).padStart(4)}\t${lines[n - 1]}`);
  return out.join('\n');
}

/** A hint for a search that was not found: lines whose trimmed text equals the search's first non-blank line. */
function notFoundHint(proposal: string, search: string): string {
  const first = search.split('\n').find((l) => l.trim() !== '');
  if (!first) return '';
  const want = first.trim();
  const hits: number[] = [];
  proposal.split('\n').forEach((l, i) => {
    if (l.trim() === want) hits.push(i + 1);
  });
  if (hits.length === 0) return ' Its first line does not occur in the proposal either; re-read the proposal (it may have changed through your earlier edits).';
  return ` Its first line occurs (ignoring indentation) at line ${hits.slice(0, 5).join(', ')}: copy the exact text from there, whitespace and following lines included.`;
}

/**
 * Workspace files `read_file` never returns, because they typically hold credentials or tokens:
 * `.env*`; private keys and certificates (`*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`,
 * `*.ppk`, SSH keys `id_*` and their `.pub`); `.git-credentials`, `.netrc`/`_netrc`, `.npmrc`,
 * `.pypirc`, `.yarnrc.yml`, `.pgpass`, `.htpasswd`, `credentials*.json`, service-account keys;
 * and anything under `.ssh/`, `.git/`, `.gnupg/`, `.aws/`, `.azure/`, `.kube/`, `.docker/`,
 * `.config/gcloud/`, `.config/gh/`, `.terraform.d/`. Matched on the workspace-relative path with
 * `/` separators, case-insensitively.
 */
export function isSensitivePath(relPath: string): boolean {
  const parts = relPath.toLowerCase().split('/');
  const base = parts[parts.length - 1] ?? '';
  const dirs = parts.slice(0, -1);
  const SECRET_DIRS = ['.ssh', '.git', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.terraform.d'];
  if (dirs.some((p) => SECRET_DIRS.includes(p))) return true;
  for (let i = 0; i + 1 < dirs.length; i++) if (dirs[i] === '.config' && ['gcloud', 'gh', 'hub', 'doctl', 'op'].includes(dirs[i + 1]!)) return true;
  if (/^\.env(\..*)?$/.test(base)) return true;
  if (/\.(pem|key|p12|pfx|jks|keystore|ppk|kdbx|asc|gpg)$/.test(base)) return true;
  if (/^id_[a-z0-9_-]+(\.pub)?$/.test(base)) return true;
  if (['.git-credentials', '.netrc', '_netrc', '.npmrc', '.pypirc', '.yarnrc.yml', '.pgpass', '.htpasswd', 'kubeconfig', '.boto', '.s3cfg', '.dockercfg'].includes(base)) return true;
  return /^(credentials|service[-_]?account|client[-_]secret)[\w.-]*\.json$/.test(base);
}

/** Is `child` equal to or inside `root` (both absolute, normalized)? */
function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  // `..foo` is a file name inside the root, not a step up.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Resolves a workspace-relative path for reading, or explains why not.
 * Refuses absolute paths, paths that leave the root lexically (`..`), and paths whose real
 * location (symlinks resolved) is outside the root's real location.
 */
export async function resolveWorkspacePath(
  workspaceRoot: string,
  relPath: string,
): Promise<{ ok: true; absolute: string; relative: string } | { ok: false; error: string }> {
  if (relPath.trim() === '') return { ok: false, error: 'Empty path.' };
  if (relPath.includes('\0')) return { ok: false, error: 'Path contains a NUL character.' };
  if (path.isAbsolute(relPath) || /^[a-zA-Z]:[\\/]/.test(relPath) || relPath.startsWith('\\')) {
    return { ok: false, error: `Refused: "${relPath}" is absolute; give a path relative to the workspace root.` };
  }
  const root = path.resolve(workspaceRoot);
  const absolute = path.resolve(root, relPath);
  if (!isInside(root, absolute)) return { ok: false, error: `Refused: "${relPath}" is outside the workspace.` };
  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = await fs.realpath(root);
  } catch {
    return { ok: false, error: 'The workspace folder cannot be read.' };
  }
  try {
    realTarget = await fs.realpath(absolute);
  } catch {
    return { ok: false, error: `No such file: "${relPath}".` };
  }
  if (!isInside(realRoot, realTarget)) {
    return { ok: false, error: `Refused: "${relPath}" resolves (through a symbolic link) to a place outside the workspace.` };
  }
  return { ok: true, absolute: realTarget, relative: path.relative(realRoot, realTarget).split(path.sep).join('/') };
}

async function readFileTool(ctx: ToolContext, input: unknown): Promise<ToolOutcome> {
  const bad = checkInput('read_file', input, { path: 'string' });
  if (bad) return fail(bad);
  const rel = (input as { path: string }).path;
  const root = ctx.input.workspaceRoot;
  if (!root) return fail('Reading workspace files is not available in this run (no trusted workspace folder).');
  const where = await resolveWorkspacePath(root, rel);
  if (!where.ok) return fail(where.error);
  if (isSensitivePath(where.relative)) return fail(`Refused: "${rel}" may hold credentials and is never read.`);
  let text: string;
  try {
    const refused = checkSourceFile(where.absolute, MAX_READ_BYTES);
    if (refused?.reason === 'not-regular') return fail(`"${rel}" is not a regular file.`);
    if (refused?.reason === 'too-large') return fail(`Refused: "${rel}" has ${(await fs.stat(where.absolute)).size} bytes; the limit is ${MAX_READ_BYTES} bytes.`);
    if (refused) return fail(`Could not read "${rel}".`);
    text = ctx.host.readWorkspaceFile ? await ctx.host.readWorkspaceFile(where.relative) : await fs.readFile(where.absolute, 'utf8');
  } catch (e) {
    return fail(`Could not read "${rel}": ${(e as Error).message}`);
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_READ_BYTES) return fail(`Refused: "${rel}" is larger than ${MAX_READ_BYTES} bytes.`);
  if (text.includes('\0')) return fail(`Refused: "${rel}" looks like a binary file.`);
  return { ok: true, content: `<file path="${where.relative}">\n${text}\n</file>`, summary: `read ${where.relative} (${text.length} chars)` };
}

function listFindingsTool(ctx: ToolContext, input: unknown): ToolOutcome {
  const bad = checkInput('list_findings', input ?? {}, {});
  if (bad) return fail(bad);
  const cited = new Map<string, number[]>();
  ctx.state.changes.forEach((c, i) => c.findingIds.forEach((id) => cited.set(id, [...(cited.get(id) ?? []), i + 1])));
  const fs_ = ctx.input.findings;
  if (fs_.length === 0) return { ok: true, content: 'No open findings.', summary: '0 findings' };
  const lines = fs_.map((f) => {
    const c = cited.get(f.id);
    return `${formatFinding(f)}${c ? ` [cited by your edit #${c.join(', #')}]` : ''}`;
  });
  return {
    ok: true,
    content: `Line numbers refer to the proposal before your edits.\n${lines.join('\n')}`,
    summary: `${fs_.length} findings, ${cited.size} cited`,
  };
}

function editTool(ctx: ToolContext, input: unknown): ToolOutcome {
  const bad = checkInput('edit_proposal', input, { search: 'string', replace: 'string', reason: 'string', finding_ids: 'string[]' });
  if (bad) return fail(bad);
  const { search, replace, reason, finding_ids } = input as { search: string; replace: string; reason: string; finding_ids: string[] };
  const reject = (why: string): ToolOutcome => ({
    ok: false,
    content: `Edit rejected: ${why} The proposal is unchanged.`,
    summary: `edit rejected: ${why}`,
    rejected: { search, findingIds: finding_ids, reason: why },
  });
  if (search === '') return reject('"search" is empty.');
  if (reason.trim() === '') return reject('"reason" is empty; say why the change is right.');
  if (search === replace) return reject('"replace" equals "search" (no change).');
  const known = new Set(ctx.input.findings.map((f) => f.id));
  const unknown = finding_ids.filter((id) => !known.has(id));
  if (unknown.length) {
    const valid = [...known].slice(0, 40).join(', ') || '(none)';
    return reject(`unknown finding id(s) ${unknown.join(', ')}; valid ids: ${valid}.`);
  }
  const res = applyEditBlock(ctx.state.proposal, search, replace);
  if (!res.ok) {
    if (res.reason === 'ambiguous') {
      return reject(`"search" occurs ${res.matches} times in the proposal; include more surrounding lines so it occurs exactly once.`);
    }
    return reject(`"search" was not found in the proposal.${notFoundHint(ctx.state.proposal, search)}`);
  }
  const line = lineAt(ctx.state.proposal, res.offset);
  const change: AgentChange = { search, replace, reason, findingIds: [...finding_ids], line };
  ctx.state.proposal = res.text;
  ctx.state.changes.push(change);
  const newLines = replace.split('\n').length;
  const shown = excerpt(ctx.state.proposal, line - 1, line + Math.min(newLines, 12));
  return {
    ok: true,
    content: `Applied edit #${ctx.state.changes.length} at line ${line}. The region now reads:\n${shown}`,
    summary: `edit #${ctx.state.changes.length} at line ${line}${finding_ids.length ? ` (${finding_ids.join(', ')})` : ''}: ${reason}`,
    applied: change,
  };
}

async function compileTool(ctx: ToolContext, input: unknown): Promise<ToolOutcome> {
  const bad = checkInput('compile_proposal', input ?? {}, {});
  if (bad) return fail(bad);
  if (!ctx.host.compile) {
    return fail('Compiling is not configured for this workspace; review your edits by reading them instead, then finish.', 'compiling is not configured');
  }
  let r: { ok: boolean; output: string };
  try {
    r = await ctx.host.compile(ctx.state.proposal, ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return fail(`The compile could not run: ${(e as Error).message}`);
  }
  let out = r.output;
  if (out.length > MAX_COMPILE_OUTPUT_CHARS) out = `${out.slice(0, MAX_COMPILE_OUTPUT_CHARS)}\n[... output truncated]`;
  return {
    ok: r.ok,
    content: r.ok ? `Compiled without errors.${out.trim() ? `\n${out}` : ''}` : `Compile failed:\n${out}`,
    summary: r.ok ? 'compiled OK' : 'compile failed',
  };
}

function finishTool(ctx: ToolContext, input: unknown): ToolOutcome {
  const bad = checkInput('finish', input, { summary: 'string' });
  if (bad) return fail(bad);
  const summary = (input as { summary: string }).summary.trim();
  if (!summary) return fail('Invalid input for finish: "summary" is empty.');
  ctx.state.finishedSummary = summary;
  return { ok: true, content: 'Finished.', summary: 'finished' };
}

/**
 * Runs one tool call. `input` is the parsed JSON the model sent. Never throws for bad input;
 * rethrows only when `ctx.signal` aborted during the call.
 */
export async function runTool(name: string, input: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  switch (name) {
    case 'read_file':
      return readFileTool(ctx, input);
    case 'list_findings':
      return listFindingsTool(ctx, input);
    case 'edit_proposal':
      return editTool(ctx, input);
    case 'compile_proposal':
      return compileTool(ctx, input);
    case 'finish':
      return finishTool(ctx, input);
    default:
      return fail(`Unknown tool "${name}". Available tools: ${TOOL_DEFINITIONS.map((t) => t.name).join(', ')}.`);
  }
}
