/**
 * `fieldgate check`: each device's line settings (path, speed, data bits, parity, stop bits,
 * host:port, timeouts, retries) and the warnings (valid, but probably not meant): a serial path that
 * does not exist, a Modbus server beyond loopback with no allow, a status endpoint beyond loopback
 * without a token, two pool ports reserved for one client. Warnings go to stderr and check exits 0.
 */
import { describe, expect, it } from 'vitest';
import { configWarnings, describeConfig } from '../../src/config/describe.js';
import { loadConfigText } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { runCommand, tempFile } from '../helpers/daemon.js';

function load(text: string): GatewayConfig {
  const r = loadConfigText(text, 'w.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const DEVICES = `devices:
  - { name: rs485, type: modbus-rtu, path: /dev/ttyFG0, baudRate: 9600, parity: none, stopBits: 2, timeout: 300ms, retries: 2 }
  - { name: nport, type: modbus-rtu, host: 10.0.0.60, port: 4001, frameGap: 5ms, lateReplyGuard: 1s }
  - { name: plc, type: modbus-tcp, host: 10.0.0.7, port: 502, unit: 3, timeout: 2s, retries: 1, maxInFlight: 4 }
  - { name: plc2, type: modbus-tcp, host: 10.0.0.8, ports: [9601, 9602] }
  - { name: scope, type: serial, path: /dev/ttyFG1, dataBits: 7, parity: even }
  - { name: cam, type: tcp, host: 10.0.0.5, port: 3000, connectTimeout: 2s, keepAlive: 0 }
`;

describe('fieldgate check: device settings', () => {
  it('prints the line, host:port, timeouts and retries of each device', () => {
    const out = describeConfig(load(DEVICES));
    expect(out).toContain(
      '  rs485: modbus-rtu on /dev/ttyFG0 9600 8N2 (8 data bits, parity none, 2 stop bits), timeout 300ms, retries 2, queue 32, frameGap t3.5, lateReplyGuard 3 x timeout',
    );
    expect(out).toContain(
      '  nport: modbus-rtu over TCP to 10.0.0.60:4001 (a serial device server), timeout 500ms, retries 1, queue 32, frameGap 5ms, lateReplyGuard 1s',
    );
    expect(out).toContain('  plc: modbus-tcp to 10.0.0.7:502, unit 3, timeout 2s, retries 1, queue 32, maxInFlight 4');
    expect(out).toContain(
      '  plc2: modbus-tcp to 10.0.0.8:9601,9602, unit 1, timeout 1s, retries 0, queue 32, maxInFlight 1',
    );
    expect(out).toContain(
      '  scope: serial /dev/ttyFG1 115200 7E1 (7 data bits, parity even, 1 stop bit), framing none (chunks as they arrive)',
    );
    expect(out).toContain('  cam: tcp to 10.0.0.5:3000, connectTimeout 2s, keepAlive never, framing none');
  });
});

describe('fieldgate check: warnings', () => {
  it('a serial path that does not exist, for devices and a serial server', () => {
    const config = load(`${DEVICES}banks: { b: { holding: 10 } }
servers:
  - { name: slave, protocol: modbus, serial: { path: /dev/ttyFG2 }, bank: b }
`);
    const seen: string[] = [];
    const warnings = configWarnings(config, (p) => {
      seen.push(p);
      return p === '/dev/ttyFG1';
    });
    expect(seen).toEqual(['/dev/ttyFG0', '/dev/ttyFG1', '/dev/ttyFG2']);
    expect(warnings).toEqual([
      'devices[0].path: device rs485 uses the serial port /dev/ttyFG0, which does not exist on this machine (unplugged, or another name? ls /dev/serial/by-id/); it will be opened again and again until it appears',
      expect.stringMatching(
        /^servers\[0\]\.serial\.path: server slave uses the serial port \/dev\/ttyFG2, which does not exist/,
      ),
    ]);
    expect(configWarnings(config, () => true)).toEqual([]);
  });

  it('a Modbus server beyond loopback with no allow; not on loopback, with allow, or a pool of reserved ports', () => {
    const warn = (servers: string) =>
      configWarnings(load(`banks: { b: { holding: 10 } }\nservers:\n${servers}`), () => true);
    expect(warn('  - { name: scada, protocol: modbus, listen: 0.0.0.0:1502, bank: b }\n')).toEqual([
      'servers[0].allow: the Modbus server scada listens on 0.0.0.0, beyond this machine, with no allow list: any host on the network can read and write its registers; add allow: [ADDRESS or CIDR, ...] (or listen on 127.0.0.1)',
    ]);
    expect(warn('  - { name: scada, protocol: modbus, listen: "192.168.1.2:1502", bank: b }\n')).toHaveLength(1);
    expect(warn('  - { name: scada, protocol: modbus, listen: 127.0.0.1:1502, bank: b }\n')).toEqual([]);
    expect(
      warn('  - { name: scada, protocol: modbus, listen: 0.0.0.0:1502, bank: b, allow: [192.168.1.0/24] }\n'),
    ).toEqual([]);
    const pool = (second: string) =>
      `  - name: p\n    protocol: modbus\n    listen: 0.0.0.0\n    bank: b\n    ports:\n      9601: { client: 10.0.0.1 }\n      9602: ${second}\n`;
    expect(warn(pool('{ client: 10.0.0.2 }'))).toEqual([]);
    expect(warn(pool('{}'))).toEqual([
      expect.stringMatching(/^servers\[0\]\.allow: the Modbus server p listens on 0\.0\.0\.0/),
    ]);
    // Modbus/TCP Security: only clients with a certificate signed by ca get in
    expect(
      warn('  - { name: s, protocol: modbus, listen: 0.0.0.0:802, bank: b, tls: { cert: c, key: k, ca: a } }\n'),
    ).toEqual([]);
    // Raw servers are not Modbus: no open-server warning.
    expect(warn('  - { name: r, protocol: raw, listen: 0.0.0.0:7000, handler: echo }\n')).toEqual([]);
  });

  it('two ports of one pool reserved for the same client', () => {
    const config = load(`banks: { b: { holding: 10 } }
servers:
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    bank: b
    ports:
      9601: { client: 192.168.250.11 }
      9602: { client: 192.168.250.12 }
      9603: { client: 192.168.250.11 }
`);
    expect(configWarnings(config, () => true)).toEqual([
      'servers[0].ports: the pool of presses reserves ports 9601, 9603 for the same client 192.168.250.11: one client address per port is meant (a typo in an address?); with onBusy replace-same-client its sessions on these ports are not told apart by address',
    ]);
  });

  it('the command prints each warning on stderr and exits 0', async () => {
    const file = tempFile(
      'w.yaml',
      `banks: { b: { holding: 10 } }
status: { listen: 0.0.0.0:18081 }
devices:
  - { name: rs485, type: modbus-rtu, path: /nonexistent/ttyFG9 }
servers:
  - name: scada
    protocol: modbus
    listen: 0.0.0.0
    bank: b
    ports:
      19601: { client: 10.0.0.1 }
      19602: { client: 10.0.0.1 }
      19603: {}
`,
    );
    const r = await runCommand(['check', '-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: valid`);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.split(': ')[2])).toEqual([
      'status.listen',
      'servers[0].allow',
      'servers[0].ports',
      'devices[0].path',
    ]);
    expect(lines.every((l) => l.startsWith('fieldgate: warning: '))).toBe(true);
  });
});
