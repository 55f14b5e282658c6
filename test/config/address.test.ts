import { describe, expect, it } from 'vitest';
import { checkAllowEntry, hostsOverlap, parseListen } from '../../src/config/address.js';

describe('listen addresses', () => {
  it.each([
    ['0.0.0.0:502', { host: '0.0.0.0', port: 502 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['plc-1.plant.local:1502', { host: 'plc-1.plant.local', port: 1502 }],
    ['[::1]:1502', { host: '::1', port: 1502 }],
    ['[::]:502', { host: '::', port: 502 }],
    ['0.0.0.0', { host: '0.0.0.0' }],
    ['[::]', { host: '::' }],
    ['::', { host: '::' }],
    ['fe80::1', { host: 'fe80::1' }],
    ['[fe80::1%eth0]:502', { host: 'fe80::1%eth0', port: 502 }],
  ])('%s', (input, value) => {
    expect(parseListen(input)).toEqual({ value });
  });

  it.each([
    ['0.0.0.0:70000', '"0.0.0.0:70000" is not host:port with a port in 0..65535'],
    ['0.0.0.0:-1', '"0.0.0.0:-1" is not host:port with a port in 0..65535'],
    ['0.0.0.0:', '"0.0.0.0:" is not host:port with a port in 0..65535'],
    ['0.0.0.0:50x', '"0.0.0.0:50x" is not host:port with a port in 0..65535'],
    [':502', '"" is not an IP address or host name'],
    ['300.0.0.1:502', '"300.0.0.1" is not an IP address or host name'],
    ['my host:502', '"my host" is not an IP address or host name'],
    ['[::1:1502', '"[::1:1502" is not host:port with a port in 0..65535'],
    ['[127.0.0.1]:502', '"[127.0.0.1]:502" is not host:port with a port in 0..65535'],
    ['::1::2', '"::1::2" is not host:port with a port in 0..65535'],
    [502, '502 is not host:port with a port in 0..65535 (e.g. 0.0.0.0:502)'],
  ])('%j is refused', (input, message) => {
    expect(parseListen(input).error).toContain(message);
  });
});

describe('allow entries', () => {
  it.each(['192.168.10.0/24', '127.0.0.1', '::1', 'fe80::/10', '0.0.0.0/0', '::/0', '10.1.2.3/32', '2001:db8::/128'])(
    '%s is accepted',
    (entry) => {
      expect(checkAllowEntry(entry)).toBeUndefined();
    },
  );

  it.each([
    '192.168.10.0/33',
    '::1/129',
    'localhost',
    '10.0.0.0/8/8',
    '10.0.0/8',
    '10.0.0.0/',
    '10.0.0.0/x',
    '',
    5,
    null,
  ])('%j is refused', (entry) => {
    expect(checkAllowEntry(entry)).toMatch(
      /is not an IP address or CIDR block \(e\.g\. 192\.168\.10\.0\/24, 127\.0\.0\.1, ::1, fe80::\/10\)/,
    );
  });
});

describe('overlapping hosts', () => {
  it.each([
    ['0.0.0.0', '10.0.0.1', true],
    ['0.0.0.0', 'plc.local', true],
    ['::', '10.0.0.1', true],
    ['::', '::1', true],
    ['::1', '0:0::1', true],
    ['Plc.Local', 'plc.local', true],
    ['0.0.0.0', '::1', false],
    ['127.0.0.1', '127.0.0.2', false],
    ['localhost', '127.0.0.1', false],
    ['fe80::1%eth0', 'fe80::1%eth0', true],
    ['fe80::1%eth0', 'fe80::1%eth1', false],
  ])('%s and %s: %s', (a, b, overlap) => {
    expect(hostsOverlap(a, b)).toBe(overlap);
    expect(hostsOverlap(b, a)).toBe(overlap);
  });
});
