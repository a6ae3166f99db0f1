/** Output sinks of the CLI commands, so tests can capture them. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** The process's real stdout/stderr. */
export const processIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};
