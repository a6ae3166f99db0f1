/**
 * Entry point of the HIP Porter language server (bundled to dist/server.js by scripts/build.mjs).
 * Run as `node dist/server.js --stdio` (or `--node-ipc` / `--socket=<port>`, as the
 * vscode-languageserver command-line convention goes). Only wires: see server.ts.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

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
