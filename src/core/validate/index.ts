/**
 * Public surface of port validation (run the CUDA original and the HIP port on the same inputs,
 * compare their outputs): configuration, boxes, comparison, runner, reports. No 'vscode' import.
 */
export * from './config';
export * from './numeric';
export * from './readers';
export * from './text';
export * from './boxes';
export * from './run';
export * from './report';
