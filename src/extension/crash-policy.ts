/**
 * When the language client restarts a crashed server (pure: no `vscode` import, unit-tested under
 * plain Node). client.ts turns the decisions into vscode-languageclient actions and messages.
 */

/** How many crashes within {@link CRASH_WINDOW_MS} are restarted before the client gives up. */
export const MAX_RESTARTS = 4;
/** Window, in milliseconds, over which crashes are counted. */
export const CRASH_WINDOW_MS = 3 * 60_000;
/** Connection errors in a row that are tolerated before the client shuts the connection down. */
export const MAX_CONNECTION_ERRORS = 3;

/** What to do after the connection closed: restart or not, and what to tell the user. */
export interface CrashDecision {
  restart: boolean;
  /** Crashes counted in the window, this one included. */
  crashes: number;
  message: string;
}

/** Counts crashes in a sliding window and decides whether the next one is restarted. */
export class CrashCounter {
  private readonly times: number[] = [];

  /** @param now clock in milliseconds */
  constructor(private readonly now: () => number = Date.now) {}

  /** Records a crash (the connection closed) and decides: restart while at most {@link MAX_RESTARTS} crashes fall in {@link CRASH_WINDOW_MS}. */
  crashed(): CrashDecision {
    const t = this.now();
    this.times.push(t);
    while (this.times.length > 0 && t - this.times[0]! > CRASH_WINDOW_MS) this.times.shift();
    const n = this.times.length;
    const minutes = CRASH_WINDOW_MS / 60_000;
    if (n <= MAX_RESTARTS) {
      return { restart: true, crashes: n, message: `HIP Porter language server stopped unexpectedly; restarting (${n} of ${MAX_RESTARTS} in ${minutes} minutes).` };
    }
    return {
      restart: false,
      crashes: n,
      message: `HIP Porter language server crashed ${n} times in ${minutes} minutes and was not restarted. Run "HIP Porter: Restart Language Server" after checking the output.`,
    };
  }
}

/** Whether a connection error (read/write failure), the `count`-th in a row, is tolerated. */
export function continueAfterConnectionError(count: number | undefined): boolean {
  return count !== undefined && count <= MAX_CONNECTION_ERRORS;
}
