/**
 * The key reference as tables: which keys each part of the file has, their type and limits, their
 * default and what they do, all from the declarations. The README and the man page show them.
 */
import type { Decl, Keys } from '../config/declare/kit.js';
import { BANK } from '../config/items/bank.js';
import { POINT } from '../config/items/bank-points.js';
import { COMMAND } from '../config/items/command.js';
import { DEVICE } from '../config/items/device.js';
import { DEVICE_TYPES } from '../config/items/device-schemas.js';
import { FRAMING } from '../config/items/framing.js';
import { MQTT } from '../config/items/mqtt.js';
import { POLL } from '../config/items/poll.js';
import { POOL_PORT } from '../config/items/pool.js';
import { HANDLER } from '../config/items/raw-handler.js';
import { SERVER } from '../config/items/server.js';
import { SIGNAL } from '../config/items/signal.js';
import { UNIT_ENTRY } from '../config/items/units.js';
import { TOP } from '../config/schema.js';

export interface Row {
  readonly key: string;
  readonly type: string;
  /** `required`, the default as written in YAML, or empty. */
  readonly default: string;
  /** A value as written in YAML, or empty. */
  readonly example: string;
  readonly doc: string;
}

export interface Table {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly Row[];
}

/** What a key holds, with its limits. */
export function typeOf(d: Decl): string {
  switch (d.kind) {
    case 'leaf':
      return d.limits ? `${d.type}, ${d.limits}` : d.type;
    case 'section':
    case 'record':
      return 'mapping';
    case 'oneOf':
      if (d.by) return `mapping by ${d.by}: ${Object.keys(d.variants).join(' | ')}`;
      return [
        ...new Set(
          Object.values(d.variants).map((v) => (v.kind === 'leaf' ? v.type : v.kind === 'list' ? 'list' : 'mapping')),
        ),
      ].join(' | ');
    case 'list':
      return 'list';
    case 'map':
      return `mapping of ${d.keyDoc}`;
  }
}

/** A value as written in YAML. */
function yaml(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return `[${v.map(yaml).join(', ')}]`;
  return typeof v === 'string' && /^[\w./:-]+$/.test(v) ? v : JSON.stringify(v);
}

/** `within`: the optional section the key is in (required only when that section is given). */
const row = (key: string, d: Decl, within?: string): Row => ({
  key,
  type: typeOf(d),
  default: d.required ? (within ? `required in ${within}` : 'required') : yaml(d.default),
  example: yaml(d.example),
  doc: d.doc,
});

/** The keys of a mapping as rows, sections as dotted keys; `note` tells variants apart. */
function rows(keys: Keys, prefix = '', note = '', skip: readonly string[] = [], within?: string): Row[] {
  return Object.entries(keys).flatMap(([k, d]): Row[] => {
    if (skip.includes(k)) return [];
    if (d.kind === 'section') return rows(d.keys, `${prefix}${k}.`, note, [], d.optional ? k : within);
    return [row(`${prefix}${k}${note}`, d, within)];
  });
}

/** Every variant's own keys (its `by` key left out), each key marked with the variant it belongs to. */
function variantRows(d: Decl, prefix: string): Row[] {
  if (d.kind !== 'oneOf') return [];
  return Object.entries(d.variants).flatMap(([name, v]) =>
    v.kind === 'record' ? rows(v.keys, prefix, ` (${name})`, d.by ? [d.by] : []) : [],
  );
}

const keysOf = (d: Decl): Keys => (d.kind === 'record' || d.kind === 'section' ? d.keys : {});

/** The rows of one variant of `d` (a oneOf with `by`): its `by` key holds the variant's name. */
function variant(d: Decl, name: string): Row[] {
  const v = d.kind === 'oneOf' ? d.variants[name] : undefined;
  if (d.kind !== 'oneOf' || v === undefined) return [];
  return rows(keysOf(v)).map((r) => (r.key === d.by ? { ...r, type: name } : r));
}

export const TABLES: readonly Table[] = [
  { id: 'top', title: 'top level', rows: rows(keysOf(TOP)) },
  {
    id: 'modbus-server',
    title: 'servers: protocol modbus',
    rows: [...variant(SERVER, 'modbus'), ...rows(keysOf(UNIT_ENTRY), 'units.ID.')],
  },
  { id: 'raw-server', title: 'servers: protocol raw', rows: variant(SERVER, 'raw') },
  {
    id: 'framing',
    title: 'framing (raw servers, raw devices, profiles)',
    rows: [
      { ...row('framing.type', FRAMING), type: Object.keys(FRAMING.variants).join(' | '), default: 'none' },
      ...variantRows(FRAMING, 'framing.'),
    ],
  },
  { id: 'handler', title: 'handler (raw servers)', rows: variantRows(HANDLER, 'handler.') },
  { id: 'pool', title: 'port pools: ports.PORT', rows: rows(keysOf(POOL_PORT), 'ports.PORT.') },
  { id: 'bank', title: 'banks.NAME', rows: [...rows(keysOf(BANK)), ...rows(keysOf(POINT), 'points[].')] },
  ...DEVICE_TYPES.map((type) => ({
    id: `device-${type}`,
    title: `devices: type ${type}`,
    rows: variant(DEVICE, type),
  })),
  { id: 'signal', title: 'signals (simulator devices, profile simulations)', rows: variantRows(SIGNAL, '') },
  { id: 'poll', title: 'polls', rows: rows(keysOf(POLL)) },
  { id: 'command', title: 'commands', rows: [...rows(keysOf(COMMAND)), ...variantRows(partOf(COMMAND), 'frame[].')] },
  { id: 'mqtt', title: 'mqtt', rows: rows(keysOf(MQTT)) },
];

/** The binary frame's part declaration, inside a command's `frame`. */
function partOf(command: Decl): Decl {
  const frame = keysOf(command).frame;
  const binary = frame?.kind === 'oneOf' ? frame.variants.binary : undefined;
  return binary?.kind === 'list' ? binary.item : command;
}
