/**
 * Start-up tuning of the CLI process. A build script calls `hip-porter port --stdout f.cu` once
 * per file, so a short run must not pay for work that only long runs earn back.
 *
 * The CUDA grammar is 4 MB of WebAssembly. V8 compiles each wasm function first with its baseline
 * compiler (Liftoff) and then, once hot, again with its optimising compiler (TurboFan). On a
 * short input the optimising compiles cost more than they save, on a large one they pay off
 * (bench/startup-bench.mjs measures both). So runs whose inputs total at most
 * {@link BASELINE_WASM_MAX_BYTES} use Liftoff only. V8 reads the flag when it compiles a module, so it must be set before `initParser()`.
 * Flag reference: V8's flag-definitions.h (`liftoff_only`), set through Node's
 * `v8.setFlagsFromString` (https://nodejs.org/api/v8.html#v8setflagsfromstringflags).
 */
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { listFiles } from '../core/files';

/** Inputs up to this many bytes in total (1 MiB, about 30k lines) are parsed with baseline wasm code only. */
export const BASELINE_WASM_MAX_BYTES = 1024 * 1024;

/**
 * Total size in bytes of the files named by `inputs` (files, or directories listed like the
 * commands list them), counting stops once it passes `limit`. Unreadable inputs count as 0 (the
 * command itself reports them).
 */
export function inputBytes(inputs: readonly string[], limit = Infinity): number {
  let total = 0;
  for (const input of inputs) {
    try {
      const st = statSync(input);
      if (st.isFile()) total += st.size;
      else if (st.isDirectory()) {
        for (const f of listFiles([input])) {
          total += statSync(f.path).size;
          if (total > limit) return total;
        }
      }
    } catch {
      // reported by the command
    }
    if (total > limit) return total;
  }
  return total;
}

/**
 * Before the wasm grammar is compiled: when `inputs` total at most {@link BASELINE_WASM_MAX_BYTES},
 * tells V8 to keep wasm code at its baseline tier (`--liftoff-only`). Returns whether it did.
 */
export function tuneWasmForInputs(inputs: readonly string[]): boolean {
  if (inputBytes(inputs, BASELINE_WASM_MAX_BYTES) > BASELINE_WASM_MAX_BYTES) return false;
  setFlagsFromString('--liftoff-only');
  return true;
}
