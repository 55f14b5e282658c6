/**
 * A profile file's document (hardware/profiles/NAME.yaml): its top-level keys, then its fields with
 * the keys of its format, then the rules over the whole layout. Every problem
 * is reported at once, with its key path inside the profile.
 */
import { oneOf, record, type Infer } from '../declare/kit.js';
import { as, choice, leaf, name, text } from '../declare/leaves.js';
import { check } from '../declare/walk.js';
import { failed, isMapping, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { FRAMING, MAX_FRAME, NO_FRAMING, type Framing } from '../items/framing.js';
import { FIELD, FORMATS, type ProfileField, type ProfileFormat } from './field.js';
import { layoutProblems, minLength, type Layout, type LooseField } from './layout.js';
import { CHECKSUM, SYNC, type ProfileChecksum } from './parts.js';
import { checkSimulate, type ProfileSimulation } from './simulate.js';

type Format = ProfileFormat;

/** A key checked on its own after the profile's keys (it depends on them): taken as it is here. */
const later = (doc: string, o: { required?: true } = {}) =>
  oneOf(
    { doc, ...o },
    {},
    (raw) => ok(raw),
    (v) => v as unknown,
  );

const PROFILE = record(
  { doc: 'a profile: how to cut, check and decode what a device sends, and where each field lands' },
  {
    profile: name({ doc: 'name of the profile: the file name without .yaml', required: true }),
    description: text({ doc: 'what the frames are, in a few words' }),
    format: choice(FORMATS, { doc: `how fields are found: ${FORMATS.join(' | ')}`, default: 'binary' }),
    framing: {
      ...FRAMING,
      doc: 'how the stream is cut into frames (binary and text profiles), e.g. { type: fixed, size: 64 }',
    },
    sync: later('binary: constant bytes a frame must have, { at: 0, hex: "A55A" }'),
    checksum: later('binary: { type: crc16-modbus | crc32 | sum8 | xor8, at: -2, endian, from, to }'),
    separator: leaf(
      { doc: 'text: what separates the fields of a line', default: ',' },
      'text',
      { type: 'string', minLength: 1, maxLength: 8 },
      (v) =>
        typeof v === 'string' && v.length >= 1 && v.length <= 8
          ? undefined
          : `${show(v)} is not a separator: write 1 to 8 characters in quotes, e.g. ","`,
      as<string>(),
    ),
    table: choice(['holding', 'input'], {
      doc: 'registers: the table the layout is in: holding | input',
      default: 'holding',
    }),
    fields: later('the fields: a list of { name, at, type, ... }', { required: true }),
    simulate: later('what `fieldgate simulate` plays: { role, every, values }'),
  },
);

type Props = Infer<typeof PROFILE>;

function part<T>(raw: unknown, key: string, checker: (raw: unknown) => Checked<T>, problems: Problem[]): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  const checked = checker(raw);
  problems.push(...under([key], checked.problems));
  return checked.value;
}

interface FieldList {
  readonly fields: ProfileField[];
  /** Each valid field's place in the file's list. */
  readonly indices: number[];
  readonly loose: LooseField[];
}

/** A field that failed its checks, when its name and `at` still say where it is (a `typ:` typo). */
function looseField(item: unknown, index: number, problems: readonly Problem[]): LooseField | undefined {
  if (!isMapping(item) || problems.some((p) => p.path[0] === 'at')) return undefined;
  const at = item['at'];
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0) return undefined;
  return { name: typeof item['name'] === 'string' ? item['name'] : `fields[${index}]`, index, at };
}

function checkFields(format: Format, raw: unknown, problems: Problem[]): FieldList {
  const list: FieldList = { fields: [], indices: [], loose: [] };
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(
      problem(
        ['fields'],
        `${show(raw)} is not a list of fields: write one item per field, each starting with "- { name: ..."`,
      ),
    );
    return list;
  }
  const named = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    const checked = check(FIELD[format], item);
    problems.push(...under(['fields', i], checked.problems));
    if (checked.value === undefined) {
      const loose = looseField(item, i, checked.problems);
      if (loose) list.loose.push(loose);
      return;
    }
    const first = named.get(checked.value.name);
    if (first !== undefined)
      problems.push(
        problem(['fields', i, 'name'], `${show(checked.value.name)} is already the name of fields[${first}]`),
      );
    named.set(checked.value.name, i);
    list.fields.push(checked.value);
    list.indices.push(i);
  });
  return list;
}

/** The size a framing that did not pass still states (`{ typ: fixed, size: 16 }`): the layout is checked against it. */
function statedSize(raw: unknown): number | undefined {
  if (!isMapping(raw) || raw['type'] === 'line' || raw['type'] === 'length' || raw['type'] === 'none') return undefined;
  const size = raw['size'];
  return typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= MAX_FRAME ? size : undefined;
}

/** `given`: the file has a framing: (it may have failed its own checks, reported there). */
function formatRules(p: Props, framing: Framing | undefined, given: boolean, problems: Problem[]): void {
  if (p.format !== 'registers' && !given)
    problems.push(
      problem(
        [],
        `a ${p.format} profile needs framing: e.g. ${p.format === 'text' ? '{ type: line, delimiter: "\\r\\n" }' : '{ type: fixed, size: 64 }'}`,
      ),
    );
  if (p.format === 'text' && framing && framing.type !== 'line')
    problems.push(problem(['framing', 'type'], 'a text profile reads lines: use { type: line, delimiter: ... }'));
  for (const key of ['sync', 'checksum'] as const)
    if (p.format !== 'binary' && p[key] !== undefined)
      problems.push(problem([key], `only binary profiles have ${key} (this one is ${p.format})`, 'key'));
  if (p.format === 'registers' && given)
    problems.push(
      problem(['framing'], 'a registers profile has no framing: a PLC writes the registers with Modbus', 'key'),
    );
}

/** The top-level keys that passed, so the fields and layout are still checked (every problem at once). */
function withoutBadKeys(raw: Record<string, unknown>, problems: readonly Problem[]): Props | undefined {
  const bad = new Set(problems.map((p) => p.path[0]));
  return check(PROFILE, Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)))).value;
}

/** `expected`: the name the file must declare (its base name). `file`: its absolute path. */
export function checkProfile(raw: Record<string, unknown>, expected: string, file: string): Checked<ProfileConfig> {
  const checked = check(PROFILE, raw);
  const problems: Problem[] = [...checked.problems];
  const p = checked.value ?? withoutBadKeys(raw, problems);
  if (p === undefined) return failed(problems);
  if (p.profile !== expected)
    problems.push(
      problem(
        ['profile'],
        `${show(p.profile)} is not the file's name: a profile in ${expected}.yaml is called ${expected}`,
      ),
    );
  const framing = p.framing;
  const framingGiven = raw['framing'] !== undefined && raw['framing'] !== null;
  formatRules(p, framing, framingGiven, problems);
  const sync = part(p.sync, 'sync', (r) => check(SYNC, r), problems);
  const checksum: ProfileChecksum | undefined = part(p.checksum, 'checksum', (r) => check(CHECKSUM, r), problems);
  const { fields, indices, loose } = checkFields(p.format, p.fields, problems);
  const layout: Layout = { fields, indices, loose, ...(sync ? { sync } : {}), ...(checksum ? { checksum } : {}) };
  const size =
    framing?.type === 'fixed'
      ? framing.size
      : framing === undefined && framingGiven
        ? statedSize(raw['framing'])
        : undefined;
  problems.push(...layoutProblems(p.format, size, layout));
  const complete = Array.isArray(p.fields) && fields.length === p.fields.length;
  const names = complete ? new Set(fields.flatMap((f) => [f.name, ...(f.bits?.values() ?? [])])) : undefined;
  const simulate = part(p.simulate, 'simulate', (r) => checkSimulate(r, p.format, names), problems);
  return problems.length > 0 ? failed(problems) : ok(profileConfig(p, file, layout, size, framing, simulate));
}

/**
 * A frame layout as the rest of fieldgate sees it: how to cut, check and decode what a device sends,
 * and where each field lands (a bank point). `binary`: fields at byte offsets; `text`: a line split at
 * `separator`, fields by index; `registers`: a register layout (what a PLC writes with FC16).
 */
function profileConfig(
  p: Props,
  file: string,
  layout: Layout,
  size: number | undefined,
  framing: Framing | undefined,
  simulate: ProfileSimulation | undefined,
) {
  return {
    name: p.profile,
    /** Absolute path of the profile file. */
    file,
    description: p.description ?? '',
    format: p.format,
    framing: framing ?? NO_FRAMING,
    /** binary: these bytes at `syncAt` (a frame without them is refused). */
    ...(layout.sync ? { sync: layout.sync.bytes } : {}),
    syncAt: layout.sync?.at ?? 0,
    /** binary: shortest valid frame in bytes (derived from the fields and checksum). */
    minLength: minLength(p.format, size, layout),
    ...(layout.checksum ? { checksum: layout.checksum } : {}),
    separator: p.separator,
    table: p.table,
    fields: layout.fields,
    ...(simulate ? { simulate } : {}),
  };
}

export type ProfileConfig = ReturnType<typeof profileConfig>;
