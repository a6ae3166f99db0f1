/**
 * Turns engine findings (src/core/findings.ts) into the agent's {@link AgentFinding} list.
 */

import type { Finding } from '../core/findings';
import { LineIndex } from '../core/text';
import type { AgentFinding } from './types';

/**
 * Maps findings to agent findings with ids `F1`, `F2`, ... in the given order.
 *
 * @param findings the open findings to hand to the agent (the caller filters, e.g. hazards and
 *   unsupported names left by the translator).
 * @param text the text the findings' UTF-16 `start` offsets index into. The agent is told these
 *   lines as lines of the proposal, so pass findings computed on the proposal (re-analyzed after
 *   translation); findings of the original CUDA text can be off by the lines the translator added
 *   (e.g. an inserted `#include <hip/hip_runtime.h>`).
 * @returns one {@link AgentFinding} per finding; `line` is 1-based.
 */
export function toAgentFindings(findings: readonly Finding[], text: string): AgentFinding[] {
  const li = new LineIndex(text);
  return findings.map((f, i) => {
    const a: AgentFinding = {
      id: `F${i + 1}`,
      code: f.code,
      severity: f.severity,
      message: f.message,
      line: li.positionAt(f.start).line + 1,
      status: f.status,
    };
    if (f.cuda !== undefined) a.cuda = f.cuda;
    if (f.hip !== undefined) a.hip = f.hip;
    return a;
  });
}
