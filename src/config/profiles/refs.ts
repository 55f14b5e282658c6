/**
 * Where the config names profiles: a raw server's `handler: { decode: P }`, a raw device's
 * `decode: { profile: P }`, a command's `reply: { profile: P }`. Read from the raw document (what
 * does not parse is left to the schema), with the key path of each use and the bank it fills.
 */
import { isMapping, type Path } from '../issues.js';

export interface ProfileRef {
  /** The name as written (a shipped profile's name, or a path). */
  readonly name: string;
  readonly path: Path;
  /** Banks the decoded values land in (a pool's port banks), with the key that names each. */
  readonly banks: readonly { readonly bank: string; readonly path: Path }[];
}

type Raw = Record<string, unknown>;

function items(v: unknown): [number, Raw][] {
  return Array.isArray(v) ? v.flatMap((item: unknown, i) => (isMapping(item) ? [[i, item] as [number, Raw]] : [])) : [];
}

function serverRef(i: number, s: Raw): ProfileRef[] {
  const h = s.handler;
  if (s.protocol !== 'raw' || !isMapping(h) || typeof h.decode !== 'string') return [];
  const path = ['servers', i, 'handler', 'decode'];
  if (typeof h.bank === 'string')
    return [{ name: h.decode, path, banks: [{ bank: h.bank, path: ['servers', i, 'handler', 'bank'] }] }];
  const ports = isMapping(s.ports) ? Object.entries(s.ports) : [];
  const banks = ports.flatMap(([port, e]) =>
    isMapping(e) && typeof e.bank === 'string' ? [{ bank: e.bank, path: ['servers', i, 'ports', port, 'bank'] }] : [],
  );
  return [{ name: h.decode, path, banks }];
}

function deviceRef(i: number, d: Raw): ProfileRef[] {
  const dec = d.decode;
  if ((d.type !== 'tcp' && d.type !== 'serial') || !isMapping(dec) || typeof dec.profile !== 'string') return [];
  const banks = typeof dec.bank === 'string' ? [{ bank: dec.bank, path: ['devices', i, 'decode', 'bank'] }] : [];
  return [{ name: dec.profile, path: ['devices', i, 'decode', 'profile'], banks }];
}

function commandRef(i: number, c: Raw): ProfileRef[] {
  const reply = c.reply;
  if (!isMapping(reply) || typeof reply.profile !== 'string') return [];
  const banks = typeof c.bank === 'string' ? [{ bank: c.bank, path: ['commands', i, 'bank'] }] : [];
  return [{ name: reply.profile, path: ['commands', i, 'reply', 'profile'], banks }];
}

export function profileRefs(top: Raw): ProfileRef[] {
  return [
    ...items(top.servers).flatMap(([i, s]) => serverRef(i, s)),
    ...items(top.devices).flatMap(([i, d]) => deviceRef(i, d)),
    ...items(top.commands).flatMap(([i, c]) => commandRef(i, c)),
  ];
}
