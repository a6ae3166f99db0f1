/**
 * The loopback model of the smoke journey: a real HTTP server speaking the Anthropic Messages API
 * (test/agent/fake-messages-server.ts) with a two-turn script. Turn 1 streams a short review and
 * calls `edit_proposal` once, replacing one line of the deterministic proposal; turn 2 calls
 * `finish`. The agent under test talks to it through the real `@anthropic-ai/sdk` in the extension
 * host, so the run, the panel and the diff are all real. Bundled by esbuild at run time
 * (see test/e2e/journey/load.mjs) so plain `node` can use it.
 */
import { FakeMessagesServer, turn } from '../../agent/fake-messages-server';

export { FakeMessagesServer } from '../../agent/fake-messages-server';
export { applySelection, computeHunks } from '../../../src/extension/hunks';

/** What the scripted agent says and changes. */
export interface JourneyModelScript {
  /** Text streamed in turn 1 (shown in the panel's transcript). */
  text: string;
  /** Exact text of the deterministic proposal the edit replaces (must occur once). */
  search: string;
  /** Its replacement. */
  replace: string;
  /** Reason given with the edit (shown with the tool call and its hunk). */
  reason: string;
  /** Summary passed to `finish`. */
  summary: string;
}

/**
 * Starts the loopback Messages API server on 127.0.0.1 (free port) expecting `apiKey`, with the
 * two scripted turns queued once per port run (`runs`, default 1).
 * @returns the server; its `url` is the `hipPorter.agent.baseURL` to use, `requests`/`problems`
 *   record what the extension sent; close it with `close()`
 */
export async function startJourneyModel(apiKey: string, s: JourneyModelScript, runs = 1): Promise<FakeMessagesServer> {
  const model = await FakeMessagesServer.start(apiKey);
  // The same two turns for each of `runs` port runs.
  for (let run = 0; run < runs; run++) model.enqueue(
    {
      kind: 'stream',
      events: turn({
        text: s.text,
        tools: [{ id: `tu_journey_${run}_1`, name: 'edit_proposal', input: { search: s.search, replace: s.replace, reason: s.reason, finding_ids: [] } }],
        usage: { input: 2100, output: 140, cacheWrite: 2600 },
      }),
    },
    {
      kind: 'stream',
      events: turn({ text: 'Done.', tools: [{ id: `tu_journey_${run}_2`, name: 'finish', input: { summary: s.summary } }], usage: { input: 320, output: 45, cacheRead: 2600 } }),
    },
  );
  return model;
}
