/**
 * The keys of a `type: simulator` device (commissioning without hardware): the bank it writes,
 * how often, and one signal per point of that bank. The signals are a mapping of the user's own
 * keys (point names), so it is a mapping leaf checked with `checkSignalMap`.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { DURATION, NAME } from '../formats.js';
import type { Problem } from '../issues.js';
import { checkSignalMap } from './signal.js';

/** The shortest tick: a simulator is for people watching values, not a load generator. */
export const MIN_SIMULATOR_EVERY_MS = 10;

export const SIMULATOR_SCHEMA: SchemaDef = {
  bank: { doc: 'the bank whose points the simulator writes', format: NAME, default: undefined, required: true },
  every: { doc: `how often every signal is written, at least ${MIN_SIMULATOR_EVERY_MS}ms (default 1s)`, format: DURATION, min: MIN_SIMULATOR_EVERY_MS, default: '1s' },
  signals: {
    doc: 'point name -> signal, e.g. { temperature: { signal: sine, min: 18, max: 24, period: 60s } }',
    format: Object, default: null, nullable: true, required: true,
    check: (value: unknown): readonly Problem[] => checkSignalMap(value).problems,
  },
};
