/**
 * Entry point of the HIP Porter language server (bundled to dist/server.js by scripts/build.mjs).
 * Run as `node dist/server.js --stdio` (or `--node-ipc` / `--socket=<port>`, as the
 * vscode-languageserver command-line convention goes). Only wires: see server.ts.
 *
 * With `--stdio`, messages are written by a StreamMessageWriter whose encoder caches the JSON of
 * unchanged diagnostics (diagnostics-encoder.ts); stdin keeps vscode-languageserver's own
 * handling (exit when it closes), and `console.*` goes to the client log as the library does for
 * `--stdio`, so nothing stray reaches stdout.
 */
import { createConnection, ProposedFeatures, StreamMessageWriter, type Connection, type MessageReader } from 'vscode-languageserver/node';
import { DiagnosticsJsonEncoder } from './diagnostics-encoder';
import { startServer } from './server';

function connect(): Connection {
  if (!process.argv.slice(2).includes('--stdio')) return createConnection(ProposedFeatures.all);
  const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: new DiagnosticsJsonEncoder() });
  // A stream as input keeps the library's exit-on-stdin-close; its typings only pair stream+stream or
  // reader+writer, while the runtime (createMessageConnection) takes each side as either.
  const conn = createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, writer);
  console.log = (...a: unknown[]) => conn.console.log(a.map(String).join(' '));
  console.info = (...a: unknown[]) => conn.console.info(a.map(String).join(' '));
  console.warn = (...a: unknown[]) => conn.console.warn(a.map(String).join(' '));
  console.error = (...a: unknown[]) => conn.console.error(a.map(String).join(' '));
  return conn;
}

const connection = connect();

// Last line of defence: a bug must not take the server down mid-session; log it and go on.
process.on('uncaughtException', (err) => {
  try {
    connection.console.error(`uncaught exception: ${err.stack ?? String(err)}`);
  } catch {
    process.stderr.write(`HIP Porter server: uncaught exception: ${err.stack ?? String(err)}\n`);
  }
});
process.on('unhandledRejection', (reason) => {
  try {
    connection.console.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`);
  } catch {
    process.stderr.write(`HIP Porter server: unhandled rejection: ${String(reason)}\n`);
  }
});

startServer(connection);
connection.listen();
