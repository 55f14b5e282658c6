/**
 * `simulate:` of a profile: what `fieldgate simulate PROFILE` plays. `values` names fields (or bit
 * names) of the profile, each with a signal or a constant; `request`/`reply` are the lines a camera
 * simulator (`role: answer`) recognises and sends back.
 */
import { record, type Infer } from '../declare/kit.js';
import { choice, duration, int, text } from '../declare/leaves.js';
import { check } from '../declare/walk.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { SIGNAL_MAP } from '../items/signal.js';

const ROLES = ['stream', 'answer', 'plc', 'rtu-slave'] as const;
type Role = (typeof ROLES)[number];
type Format = 'binary' | 'text' | 'registers';

/** Which formats each role plays. */
const ROLE_FORMATS: Readonly<Record<Role, readonly Format[]>> = {
  stream: ['binary', 'text'],
  answer: ['text', 'binary'],
  plc: ['registers'],
  'rtu-slave': ['registers'],
};

const SIMULATE = record(
  { doc: 'what `fieldgate simulate` plays: { role, every, values }' },
  {
    role: choice(ROLES, { doc: `what the simulator plays: ${ROLES.join(' | ')}`, required: true }),
    every: duration({
      doc: 'time between frames (stream) or writes (plc); 0 = as fast as the connection takes them',
      default: '1s',
    }),
    unit: int({ doc: 'plc and rtu-slave: the unit id', min: 0, max: 255, default: 1 }),
    values: { ...SIGNAL_MAP, doc: 'field name -> signal or constant, e.g. { seq: { signal: counter } }' },
    request: text({ doc: 'answer: the line that triggers a reply; {value} stands for an integer' }),
    reply: text({ doc: "answer: the line sent back; {field} is that field's simulated value, {value} the trigger's" }),
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([problem([], `${show(raw)} is not a simulation: write { role: stream, every: 10ms, values: {...} }`)]),
    finish: (p) => ({ ...p, values: p.values ?? (new Map() as NonNullable<typeof p.values>) }),
  },
);

export type ProfileSimulation = Infer<typeof SIMULATE>;

/** `names`: the profile's field and bit names (undefined: some fields are invalid, names are not checked). */
export function checkSimulate(
  raw: unknown,
  format: Format | undefined,
  names: ReadonlySet<string> | undefined,
): Checked<ProfileSimulation> {
  const checked = check(SIMULATE, raw);
  const p = checked.value;
  if (p === undefined) return checked;
  const problems: Problem[] = [];
  if (format !== undefined && !ROLE_FORMATS[p.role].includes(format)) {
    problems.push(
      problem(['role'], `${p.role} plays ${ROLE_FORMATS[p.role].join(' or ')} profiles; this one is ${format}`),
    );
  }
  if (p.role === 'answer') {
    if (p.request === undefined)
      problems.push(problem([], 'role answer needs request: the line that triggers a reply, e.g. "T{value}"'));
    if (p.reply === undefined)
      problems.push(problem([], 'role answer needs reply: the line sent back, e.g. "OK,{result}"'));
  }
  for (const name of p.values.keys()) {
    if (names !== undefined && !names.has(name))
      problems.push(
        problem(
          ['values', name],
          `${show(name)} is not a field (or bit) of this profile: ${[...names].join(', ')}`,
          'key',
        ),
      );
  }
  return problems.length > 0 ? failed(problems) : ok(p);
}
