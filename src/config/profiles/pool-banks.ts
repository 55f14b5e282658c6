/**
 * `bank:` on pool ports: a raw server that decodes frames without a bank of its own takes each
 * port's bank (several boards of one kind, a bank each), so every port must give one. Anywhere
 * else a port's bank is a mistake: a Modbus server's port maps units, a raw server's handler that
 * does not decode stores nothing, and a decode handler with its own bank uses it on every port.
 */
import { isMapping, problem, type Problem } from '../issues.js';

type Raw = Record<string, unknown>;

function portBanks(s: Raw): [string, Raw][] {
  return isMapping(s.ports)
    ? Object.entries(s.ports).flatMap(([port, e]) => (isMapping(e) ? [[port, e] as [string, Raw]] : []))
    : [];
}

function rawServer(i: number, s: Raw): Problem[] {
  const h = s.handler;
  const decode = isMapping(h) && typeof h.decode === 'string';
  const ownBank = decode && isMapping(h) && h.bank != null;
  const withBank = portBanks(s).filter(([, e]) => e.bank != null);
  if (!decode || ownBank) {
    const why = ownBank
      ? "the handler's bank: applies to every port; remove it to give each port its own"
      : 'only a decode handler ({ decode: PROFILE }) stores frames in a bank';
    return withBank.map(([port]) => problem(['servers', i, 'ports', port, 'bank'], why, 'key'));
  }
  if (s.ports === undefined || s.ports === null)
    return [problem(['servers', i, 'handler'], 'needs bank: BANK, the bank the decoded frames land in')];
  if (!isMapping(s.ports))
    return [
      problem(
        ['servers', i, 'ports'],
        'a decode handler without bank: needs bank: BANK on every port; a port range gives none: list the ports',
      ),
    ];
  return Object.entries(s.ports).flatMap(([port, e]) =>
    isMapping(e) && e.bank != null
      ? []
      : [
          problem(
            ['servers', i, 'ports', port],
            `needs bank: BANK: the decode handler has no bank of its own, so each port names the bank its frames land in`,
          ),
        ],
  );
}

function modbusServer(i: number, s: Raw): Problem[] {
  return portBanks(s)
    .filter(([, e]) => e.bank != null)
    .map(([port]) =>
      problem(
        ['servers', i, 'ports', port, 'bank'],
        "a Modbus server's port maps unit ids: write units: { 1: { bank: NAME } }",
        'key',
      ),
    );
}

export function poolBankChecks(top: Raw): Problem[] {
  if (!Array.isArray(top.servers)) return [];
  return top.servers.flatMap((s: unknown, i) => {
    if (!isMapping(s)) return [];
    return s.protocol === 'raw' ? rawServer(i, s) : s.protocol === 'modbus' ? modbusServer(i, s) : [];
  });
}
