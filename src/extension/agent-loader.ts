/**
 * The agent library (src/agent: the Anthropic SDK loop) is bundled on its own as `dist/agent.js`
 * and loaded on first use, so activating the extension does not parse the SDK (about half of what
 * the extension host would otherwise load). No `vscode` import: unit-tested under plain Node.
 */
import { join } from 'node:path';
import type * as AgentLibrary from '../agent/index';

/** What `dist/agent.js` exports: src/agent/index.ts. */
export type AgentModule = typeof AgentLibrary;

const loaded = new Map<string, AgentModule>();

/**
 * Loads `<distDir>/agent.js` once per folder (Node's `require`, cached).
 * @param distDir absolute path of the extension's `dist/`
 * @throws Error when the bundle is missing or is not the agent library (names the path)
 */
export function loadAgentModule(distDir: string): AgentModule {
  const hit = loaded.get(distDir);
  if (hit) return hit;
  const path = join(distDir, 'agent.js');
  let m: AgentModule;
  try {
    // A run-time require of a file beside the bundle: esbuild leaves it alone.
    m = require(path) as AgentModule;
  } catch (e) {
    throw new Error(`cannot load the agent (${path}): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof m?.runAgent !== 'function') throw new Error(`${path} is not the HIP Porter agent bundle`);
  loaded.set(distDir, m);
  return m;
}
