import { listFiles, type FoundFile } from '../core/files';

/** Output sinks of the CLI commands, so tests can capture them. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Raw bytes to stdout (a ported file in its own encoding, e.g. Latin-1); absent: callers fall back to `stdout`. */
  stdoutBytes?(b: Uint8Array): void;
}

/** The process's real stdout/stderr. */
export const processIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stdoutBytes: (b) => void process.stdout.write(b),
};

/**
 * The files named by the CLI inputs (paths of files or folders, see `listFiles`), or undefined
 * after writing `hip-porter: <reason>` to stderr when an input is missing or unreadable (the
 * command then exits with 2).
 */
export function listInputs(inputs: readonly string[], io: Io): FoundFile[] | undefined {
  try {
    return listFiles(inputs);
  } catch (e) {
    io.stderr(`hip-porter: ${(e as Error).message}\n`);
    return undefined;
  }
}
