/** The command line of `fieldgate simulate`: what it accepts, and the usage error for what it does not. */
import { describe, expect, it } from 'vitest';
import { FieldgateError } from '../../src/errors.js';
import { parseSimulateArgs } from '../../src/simulate/options.js';

function usageError(argv: string[]): FieldgateError {
  try {
    parseSimulateArgs(argv);
  } catch (err) {
    if (err instanceof FieldgateError) return err;
    throw err;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('fieldgate simulate arguments', () => {
  it('reads the profile, one transport, --every and --count', () => {
    expect(
      parseSimulateArgs(['fpga-telemetry', '--connect', '127.0.0.1:7000', '--every', '0', '--count', '100']),
    ).toEqual({
      profile: 'fpga-telemetry',
      transport: { kind: 'connect', host: '127.0.0.1', port: 7000 },
      every: 0,
      count: 100,
    });
    expect(parseSimulateArgs(['--listen=3000', 'camera-trigger']).transport).toEqual({
      kind: 'listen',
      host: '127.0.0.1',
      port: 3000,
    });
    expect(parseSimulateArgs(['camera-trigger', '--listen', '0.0.0.0:3000']).transport).toEqual({
      kind: 'listen',
      host: '0.0.0.0',
      port: 3000,
    });
    expect(
      parseSimulateArgs([
        './my.yaml',
        '--serial',
        '/tmp/ttyFG1',
        '--baud',
        '9600',
        '--parity',
        'none',
        '--every',
        '250ms',
      ]),
    ).toEqual({
      profile: './my.yaml',
      transport: { kind: 'serial', path: '/tmp/ttyFG1', baudRate: 9600, parity: 'none' },
      every: 250,
    });
    expect(
      parseSimulateArgs(['omron-nj-press', '--connect', '127.0.0.1:9601', '--unit', '2', '--address=100']),
    ).toEqual({
      profile: 'omron-nj-press',
      transport: { kind: 'connect', host: '127.0.0.1', port: 9601 },
      unit: 2,
      address: 100,
    });
  });

  it('--listen takes PORT or HOST:PORT, and the usage says so', () => {
    expect(parseSimulateArgs(['p', '--listen', '127.0.0.2:3000']).transport).toEqual({
      kind: 'listen',
      host: '127.0.0.2',
      port: 3000,
    });
    expect(parseSimulateArgs(['p', '--listen', '[::1]:3000']).transport).toEqual({
      kind: 'listen',
      host: '::1',
      port: 3000,
    });
    expect(usageError(['p']).message).toContain(
      'give one of --connect HOST:PORT, --listen [HOST:]PORT or --serial PATH',
    );
  });

  it.each([
    [[], /which profile/],
    [['fpga-telemetry'], /give one of --connect/],
    [['p', '--connect', '127.0.0.1:1', '--listen', '2'], /only one of/],
    [['p', '--connect', 'nohostport'], /--connect .*not host:port/],
    [['p', '--listen', 'x:y'], /--listen "x:y" is not PORT/],
    [['p', '--listen', '70000'], /--listen "70000" is not a whole number/],
    [['p', '--connect', '127.0.0.1:1', '--every', 'soon'], /--every "soon" is not a duration/],
    [['p', '--connect', '127.0.0.1:1', '--count', '0'], /--count "0"/],
    [['p', '--connect', '127.0.0.1:1', '--parity', 'mark'], /--parity "mark"/],
    [['p', '--connect'], /--connect needs a value/],
    [['p', 'q', '--connect', '127.0.0.1:1'], /unexpected argument "q"/],
    [['p', '--fast'], /unknown option "--fast"/],
    [['p', '--connect', '127.0.0.1:1', '--unit', '256'], /--unit "256" is not a whole number from 0 to 255/],
    [
      ['p', '--connect', '127.0.0.1:1', '--address', '65536'],
      /--address "65536" is not a whole number from 0 to 65535/,
    ],
    [
      ['p', '--connect', '127.0.0.1:1', '--every', '1s', '--every=2s'],
      /--every is given twice \("1s", then "2s"\): give it once/,
    ],
    [['p', '--connect', '127.0.0.1:1', '--count', '1', '--count', '2'], /--count is given twice/],
    [['p', '--connect', '127.0.0.1:1', '--unit', '1', '--unit', '2'], /--unit is given twice/],
    [['p', '--connect', '127.0.0.1:1', '--address', '1', '--address', '1'], /--address is given twice/],
    [['p', '--serial', '/tmp/x', '--baud', '9600', '--baud', '19200'], /--baud is given twice/],
    [['p', '--serial', '/tmp/x', '--parity', 'odd', '--parity', 'even'], /--parity is given twice/],
    [['p', '--connect', '127.0.0.1:1', '--connect', '127.0.0.1:2'], /only one of/],
  ])('%j is a usage error (exit 64)', (argv, message) => {
    const err = usageError(argv);
    expect(err.code).toBe('FG_ERR_USAGE');
    expect(err.exitCode).toBe(64);
    expect(err.message).toMatch(message);
    expect(err.details.join('\n')).toContain('fieldgate simulate PROFILE');
  });
});
