/** `fieldgate simulate`: what cli.ts and tests use. */
export { simulateCommand, loadProfileOrThrow, type SimulateIo } from './command.js';
export { parseSimulateArgs, SIMULATE_USAGE, type SimulateOptions, type Transport } from './options.js';
export { startSimulation } from './simulate.js';
export type { Say, Simulation } from './types.js';
