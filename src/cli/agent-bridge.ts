/**
 * Wires `hip-porter port --agent` to the agent: for each file, the open findings of the
 * deterministic translation go to the model, which edits that translation. An incomplete run
 * (stream cut, step limit) is not applied: the deterministic text is written and the user told.
 */
import { relative } from 'node:path';
import { toAgentFindings } from '../agent/index';
import { projectRootOf } from '../core/files';
import { openFindings } from '../core/open-findings';
import type * as AgentCommand from './agent-command';
import type { Io } from './io';
import type { PortOptions } from './port';

/**
 * The agent side of the CLI (the agent loop and the Anthropic SDK, about 1.2 MB of JavaScript),
 * loaded on first use: scripts/build.mjs bundles `agent-command.ts` on its own as
 * `dist/cli-agent.js` and leaves this `require` to it, so commands without `--agent` never read it.
 */
export function loadAgentCommand(): typeof AgentCommand {
  return require('./agent-command') as typeof AgentCommand;
}

/** Returns the per-file refine step for `port --agent`, or undefined (after printing why) when it cannot run. */
export function makeCliRefiner(o: PortOptions, io: Io, env: NodeJS.ProcessEnv = process.env): PortOptions['refine'] | undefined {
  const { portWithAgent, settingsFromEnv } = loadAgentCommand();
  if (!settingsFromEnv(env)) {
    io.stderr('hip-porter: --agent needs an Anthropic API key: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a proxy)\n');
    return undefined;
  }
  return async (path, original, proposal) => {
    const findings = openFindings(proposal, o);
    const rel = relative(process.cwd(), path) || path;
    if (findings.length === 0) {
      io.stderr(`agent ${rel}: nothing left for the agent\n`);
      return proposal;
    }
    const r = await portWithAgent(
      {
        path: rel,
        original,
        proposal,
        findings: toAgentFindings(findings, proposal),
        workspaceRoot: projectRootOf(path),
        ...(o.targetRocm ? { targetRocm: o.targetRocm } : {}),
      },
      io,
      undefined,
      env,
    );
    if (r.status === 'complete') return r.proposal;
    // A rejected key or an unknown model fails every file the same way: stop at the first.
    if (r.status === 'failed' && (r.error?.kind === 'auth' || r.error?.kind === 'model-not-found')) return undefined;
    io.stderr(`agent ${rel}: run ${r.status}${r.error ? ` (${r.error.message})` : ''}; writing the deterministic translation only\n`);
    return proposal;
  };
}
