/**
 * Public surface of the build engine (hipcc locally or over OpenSSH). The VS Code task provider,
 * commands and the CLI import from here; nothing in this folder imports 'vscode'.
 */
export * from './errors';
export * from './hipcc';
export * from './cxx-standard';
export * from './diagnostics';
export * from './include-closure';
export * from './shell-quote';
export * from './process';
export * from './local-runner';
export * from './ssh';
export * from './remote-runner';
export * from './plan';
export * from './remote-command';
