import { describe, expect, it } from 'vitest';
import { at, configOf, issueAt, issuesOf, load } from './helpers.js';

const BANKS = 'banks:\n  plant: { holding: 10 }\n';
const one = (server: string): string => `${BANKS}servers:\n  - ${server}\n`;
const TLS = 'tls: { cert: s.pem, key: s.key, ca: ca.pem }';

describe('servers: tls and roles', () => {
  it('a modbus server with tls and roles', () => {
    const text = one(
      `{ name: sec, protocol: modbus, listen: "127.0.0.1:802", bank: plant, ${TLS}, roles: { Operator: { write: true, units: [1, 2] }, Viewer: {} } }`,
    );
    const server = configOf(load(text)).servers[0];
    expect(server?.tls).toEqual({ cert: 's.pem', key: 's.key', ca: 'ca.pem' });
    const roles = server?.protocol === 'modbus' ? server.roles : undefined;
    expect(roles && [...roles]).toEqual([
      ['Operator', { write: true, units: [1, 2] }],
      ['Viewer', { write: false }],
    ]);
  });

  it('a pool and a raw server take tls; a raw server may leave out ca', () => {
    const text =
      `${BANKS}servers:\n` +
      `  - { name: pool, protocol: modbus, listen: 127.0.0.1, ports: "9601-9602", bank: plant, ${TLS} }\n` +
      '  - { name: cam, protocol: raw, listen: "127.0.0.1:9000", handler: echo, tls: { cert: s.pem, key: s.key } }\n';
    const [pool, raw] = configOf(load(text)).servers;
    expect(pool?.tls?.ca).toBe('ca.pem');
    expect(raw?.tls).toEqual({ cert: 's.pem', key: 's.key' });
  });

  it('roles without tls is an error at roles', () => {
    const text = one('{ name: sec, protocol: modbus, listen: "127.0.0.1:802", bank: plant, roles: { Viewer: {} } }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].roles',
        file: 'test.yaml',
        ...at(text, '^roles:'),
        message:
          'roles come from client certificates: add tls: { cert, key, ca } (Modbus/TCP Security), or remove roles',
      },
    ]);
  });

  it('a modbus server needs ca (mutual TLS)', () => {
    const text = one('{ name: sec, protocol: modbus, listen: "127.0.0.1:802", bank: plant, tls: { cert: a, key: b } }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].tls',
        file: 'test.yaml',
        ...at(text, '^tls:'),
        message:
          'needs ca: the CA client certificates must be signed by (Modbus/TCP Security is mutual TLS: every client presents a certificate)',
      },
    ]);
  });

  it.each([
    ['tls: { cert: a }', 'servers[0].tls', '^tls: { cert: a }'],
    ['tls: { cert: a, key: b, ca: c, crl: d }', 'servers[0].tls.crl', '^crl:'],
    [`${TLS}, roles: {}`, 'servers[0].roles', 'roles: ^{}'],
    [`${TLS}, roles: { Op: { write: yes } }`, 'servers[0].roles.Op.write', 'write: ^yes'],
    [`${TLS}, roles: { Op: { units: [1, 300] } }`, 'servers[0].roles.Op.units[1]', 'units: [1, ^300]'],
    [`${TLS}, roles: { Op: { units: [1, 1] } }`, 'servers[0].roles.Op.units[1]', 'units: [1, ^1]'],
    [`${TLS}, roles: { Op: true }`, 'servers[0].roles.Op', 'Op: ^true'],
  ])('%s: an error at its key with line and column', (keys, key, marked) => {
    const text = one(`{ name: sec, protocol: modbus, listen: "127.0.0.1:802", bank: plant, ${keys} }`);
    const issue = issueAt(issuesOf(load(text)), key);
    expect({ line: issue.line, col: issue.col }).toEqual(at(text, marked));
  });

  it('roles are not a raw server key; tls is not for a serial server', () => {
    const raw = one(`{ name: cam, protocol: raw, listen: "127.0.0.1:9000", handler: echo, ${TLS}, roles: { A: {} } }`);
    expect(issueAt(issuesOf(load(raw)), 'servers[0].roles').message).toMatch(/^unknown key/);
    const serial = one(`{ name: s, protocol: modbus, serial: { path: /dev/ttyS1 }, bank: plant, ${TLS} }`);
    expect(issueAt(issuesOf(load(serial)), 'servers[0].tls').message).toMatch(/servers that listen on TCP/);
  });
});
