/**
 * Public API of the porting agent for the VS Code host and the CLI (no `vscode` import here).
 *
 *   const result = await runAgent(input, { ...DEFAULT_AGENT_SETTINGS, apiKey }, { onEvent }, abort.signal);
 *
 * See types.ts for the input, settings, events and result; loop.ts for the run.
 */

export { runAgent, parseRetryAfter, DEFAULT_AUTH_HELP, DEFAULT_MODEL_HELP } from './loop';
export { toAgentFindings } from './findings';
export { formatCost, priceFor, requestCostUsd, MODEL_PRICES, PRICES_CHECKED, emptyUsage } from './cost';
export { SYSTEM_PROMPT, buildUserMessage, numberLines } from './prompts';
export { TOOL_DEFINITIONS, MAX_READ_BYTES, resolveWorkspacePath } from './tools';
export {
  applyEditBlock,
  DEFAULT_AGENT_SETTINGS,
  DEFAULT_MODEL,
  type AgentChange,
  type AgentErrorKind,
  type AgentEvent,
  type AgentFinding,
  type AgentHost,
  type AgentInput,
  type AgentPhase,
  type AgentResult,
  type AgentSettings,
  type AgentUsage,
  type EditBlockResult,
} from './types';
