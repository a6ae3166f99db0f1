/**
 * Wires `hip-porter port --agent` to the agent (src/agent, via src/cli/agent-command.ts).
 * Placeholder until the agent lands: reports that the agent is not available.
 */
import type { Io } from './io';
import type { PortOptions } from './port';

/** Returns the per-file refine step for `port --agent`, or undefined (after printing why) when it cannot run. */
export function makeCliRefiner(_o: PortOptions, io: Io): PortOptions['refine'] | undefined {
  io.stderr('hip-porter: --agent is not available in this build yet\n');
  return undefined;
}
