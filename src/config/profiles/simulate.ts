/**
 * `simulate:` of a profile: what `fieldgate simulate PROFILE` plays. `values` names fields (or bit
 * names) of the profile, each with a signal or a constant; `request`/`reply` are the lines a camera
 * simulator (`role: answer`) recognises and sends back.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { CHOICE, DURATION, INT, TEXT } from '../formats.js';
import { failed, isMapping, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { checkSignalMap } from '../items/signal.js';
import { runSchema } from '../run-schema.js';
import type { ProfileConfig, ProfileSimulation } from '../types.js';

const ROLES = ['stream', 'answer', 'plc', 'rtu-slave'] as const;
type Role = (typeof ROLES)[number];

/** Which formats each role plays. */
const ROLE_FORMATS: Readonly<Record<Role, readonly ProfileConfig['format'][]>> = {
  stream: ['binary', 'text'], answer: ['text', 'binary'], plc: ['registers'], 'rtu-slave': ['registers'],
};

const SIMULATE: SchemaDef = {
  role: { doc: `what the simulator plays: ${ROLES.join(' | ')}`, format: CHOICE, values: ROLES, default: undefined, required: true },
  every: { doc: 'time between frames (stream) or writes (plc); 0 = as fast as the connection takes them', format: DURATION, default: '1s' },
  unit: { doc: 'plc and rtu-slave: the unit id', format: INT, min: 0, max: 255, default: 1 },
  values: { doc: 'field name -> signal or constant, e.g. { seq: { signal: counter } }', format: Object, default: null, nullable: true, check: (raw) => checkSignalMap(raw).problems },
  request: { doc: 'answer: the line that triggers a reply; {value} stands for an integer', format: TEXT, default: undefined },
  reply: { doc: 'answer: the line sent back; {field} is that field\'s simulated value, {value} the trigger\'s', format: TEXT, default: undefined },
};

interface Props { role: Role; every: string | number; unit: number; values: Record<string, unknown> | null; request?: string; reply?: string }

/** `names`: the profile's field and bit names (undefined: some fields are invalid, names are not checked). */
export function checkSimulate(raw: unknown, format: ProfileConfig['format'] | undefined, names: ReadonlySet<string> | undefined): Checked<ProfileSimulation> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a simulation: write { role: stream, every: 10ms, values: {...} }`)]);
  const checked = runSchema<Props>(SIMULATE, raw);
  if (checked.value === undefined) return failed(checked.problems);
  const p = checked.value;
  const problems: Problem[] = [];
  if (format !== undefined && !ROLE_FORMATS[p.role].includes(format)) {
    problems.push(problem(['role'], `${p.role} plays ${ROLE_FORMATS[p.role].join(' or ')} profiles; this one is ${format}`));
  }
  if (p.role === 'answer') {
    if (p.request === undefined) problems.push(problem([], 'role answer needs request: the line that triggers a reply, e.g. "T{value}"'));
    if (p.reply === undefined) problems.push(problem([], 'role answer needs reply: the line sent back, e.g. "OK,{result}"'));
  }
  const values = p.values === null ? new Map() : checkSignalMap(p.values).value ?? new Map();
  for (const name of values.keys()) {
    if (names !== undefined && !names.has(name)) problems.push(problem(['values', name], `${show(name)} is not a field (or bit) of this profile: ${[...names].join(', ')}`, 'key'));
  }
  if (problems.length > 0) return failed(problems);
  return ok({
    role: p.role, every: durationMs(p.every), unit: p.unit, values,
    ...(p.request !== undefined ? { request: p.request } : {}),
    ...(p.reply !== undefined ? { reply: p.reply } : {}),
  });
}

export function simulateProblems(raw: unknown, format: ProfileConfig['format'] | undefined, names: ReadonlySet<string> | undefined): Problem[] {
  return under(['simulate'], checkSimulate(raw, format, names).problems);
}
