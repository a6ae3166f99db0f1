/**
 * `hip-porter port --agent`: runs the porting agent (src/agent) for one file from the terminal.
 * Environment: `ANTHROPIC_API_KEY` (required), `ANTHROPIC_BASE_URL` (optional, as the SDK reads it),
 * `HIP_PORTER_MODEL` (optional model id). Progress goes to stderr; the key is never printed.
 */

import { DEFAULT_AGENT_SETTINGS, emptyUsage, formatCost, runAgent, type AgentEvent, type AgentFinding, type AgentResult, type AgentSettings } from '../agent/index';

/** What the CLI hands the agent for one file. */
export interface CliAgentOptions {
  /** Path shown to the model and in progress lines (workspace-relative preferred). */
  path: string;
  /** Original CUDA text. */
  original: string;
  /** Deterministic HIP translation to refine. */
  proposal: string;
  findings: AgentFinding[];
  /** Folder the agent may read files from (the input's project root, see `projectRootOf` in src/core/files.ts); unset = no reading. */
  workspaceRoot?: string;
  /** Target ROCm version told to the model, e.g. `5.2`. */
  targetRocm?: string;
  /** Print the model's streamed text too (default: only tool calls, retries and totals). */
  verbose?: boolean;
}

/** Where progress goes. Matches `Io` of src/cli/io.ts. */
export interface CliAgentIo {
  stderr(s: string): void;
}

/**
 * Reads the agent settings from the environment: `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`,
 * `HIP_PORTER_MODEL`. Returns undefined when no key is set.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AgentSettings | undefined {
  const apiKey = env['ANTHROPIC_API_KEY']?.trim();
  if (!apiKey) return undefined;
  const s: AgentSettings = { ...DEFAULT_AGENT_SETTINGS, apiKey };
  const base = env['ANTHROPIC_BASE_URL']?.trim();
  if (base) s.baseURL = base;
  const model = env['HIP_PORTER_MODEL']?.trim();
  if (model) s.model = model;
  return s;
}

/** One progress line for an event, or undefined for events the CLI does not print. */
export function formatEventLine(path: string, e: AgentEvent): string | undefined {
  switch (e.type) {
    case 'tool-call':
      return e.name === 'edit_proposal' || e.name === 'finish' ? undefined : `agent ${path}: ${e.name}${describeInput(e.input)}`;
    case 'tool-result':
      return e.ok ? undefined : `agent ${path}: ${e.name} -> error: ${e.summary}`;
    case 'edit-applied':
      return `agent ${path}: edit #${e.index + 1} at line ${e.change.line}${e.change.findingIds.length ? ` [${e.change.findingIds.join(', ')}]` : ''}: ${e.change.reason}`;
    case 'retry':
      return `agent ${path}: ${e.message}`;
    case 'notice':
      return `agent ${path}: ${e.message}`;
    default:
      return undefined;
  }
}

function describeInput(input: unknown): string {
  if (input && typeof input === 'object' && 'path' in input) return ` ${String((input as { path: unknown }).path)}`;
  return '';
}

/**
 * Runs the agent on one file with settings from the environment and prints progress to
 * `io.stderr`. Never throws for API problems: see {@link AgentResult.status} and `error`.
 * Without `ANTHROPIC_API_KEY` it returns `failed` (kind `auth`) at once, without a request.
 * `env` defaults to `process.env` (tests pass their own).
 */
export async function portWithAgent(
  opts: CliAgentOptions,
  io: CliAgentIo,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentResult> {
  const settings = settingsFromEnv(env);
  if (!settings) {
    const message = 'No Anthropic API key: set ANTHROPIC_API_KEY to use --agent.';
    io.stderr(`agent ${opts.path}: ${message}\n`);
    return {
      status: 'failed',
      proposal: opts.proposal,
      changes: [],
      usage: emptyUsage(),
      costUsd: null,
      steps: 0,
      error: { kind: 'auth', message },
    };
  }
  io.stderr(`agent ${opts.path}: ${opts.findings.length} open finding(s), model ${settings.model}\n`);
  let midLine = false;
  const result = await runAgent(
    {
      path: opts.path,
      original: opts.original,
      proposal: opts.proposal,
      findings: opts.findings,
      mode: 'port',
      ...(opts.workspaceRoot ? { workspaceRoot: opts.workspaceRoot } : {}),
      ...(opts.targetRocm ? { targetRocm: opts.targetRocm } : {}),
    },
    settings,
    {
      authHelp: 'set ANTHROPIC_API_KEY to a valid key',
      modelHelp: 'set HIP_PORTER_MODEL',
      onEvent: (e) => {
        if (opts.verbose && e.type === 'text') {
          io.stderr(e.delta);
          midLine = !e.delta.endsWith('\n');
          return;
        }
        const line = formatEventLine(opts.path, e);
        if (line === undefined) return;
        io.stderr(`${midLine ? '\n' : ''}${line}\n`);
        midLine = false;
      },
    },
    signal,
  );
  const u = result.usage;
  io.stderr(
    `${midLine ? '\n' : ''}agent ${opts.path}: ${result.status}, ${result.changes.length} edit(s), ${result.steps} step(s); ` +
      `tokens ${u.inputTokens} in, ${u.outputTokens} out, ${u.cacheReadTokens} cache read, ${u.cacheWriteTokens} cache write; ${formatCost(result.costUsd)}\n`,
  );
  if (result.summary && !opts.verbose) io.stderr(`agent ${opts.path}: summary: ${result.summary}\n`);
  return result;
}
