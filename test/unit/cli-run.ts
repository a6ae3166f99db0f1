/** Runs the CLI's `main` in this process with captured output: shared by the CLI tests. */
import { main } from '../../src/cli/main';

/** One CLI run: exit code and everything written to stdout and stderr. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `hip-porter ...argv` in process; never throws for a failing command (the exit code says it). */
export async function cli(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}
