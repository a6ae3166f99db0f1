/**
 * A pseudoterminal that runs one async job (a build, a run command), with ANSI colours for its
 * messages. Ctrl+C or closing the terminal aborts the job.
 */
import * as vscode from 'vscode';
import { toTerminalText } from './build-settings';

/** Terminal colours (ANSI SGR). */
export const RED = '\x1b[31m';
export const GREEN = '\x1b[32m';
export const BOLD = '\x1b[1m';
export const DIM = '\x1b[2m';
export const RESET = '\x1b[0m';

/** Write side of the pseudoterminal as the build sees it. */
export interface TerminalIO {
  /** Raw text; `\n` is converted to `\r\n`. */
  write(text: string): void;
}

/** A pseudoterminal that runs one async job, aborts it on close or Ctrl+C, and closes with its exit code. */
export class JobTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  private readonly abort = new AbortController();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  constructor(private readonly job: (io: TerminalIO, signal: AbortSignal) => Promise<number>) {}

  open(): void {
    const io: TerminalIO = { write: (t) => this.writeEmitter.fire(toTerminalText(t)) };
    this.job(io, this.abort.signal).then(
      (code) => this.closeEmitter.fire(code),
      (e: unknown) => {
        io.write(`${RED}${e instanceof Error ? e.message : String(e)}${RESET}\n`);
        this.closeEmitter.fire(1);
      },
    );
  }

  /** The terminal was closed or the task terminated: cancel (kills the process tree). */
  close(): void {
    this.abort.abort();
  }

  /** Ctrl+C in the terminal cancels too. */
  handleInput(data: string): void {
    if (data === '\x03') this.abort.abort();
  }
}
