/** `type: simulator` devices in the config: defaults, every problem with its key and line:col. */
import { describe, expect, it } from 'vitest';
import { at, configOf, issueAt, issuesOf, load } from '../config/helpers.js';
import { describeConfig } from '../../src/config/describe.js';

const BANK = `banks:
  demo:
    holding: 20
    coils: 4
    points:
      - { name: temperature, table: holding, address: 0, type: float32 }
      - { name: level, table: holding, address: 2 }
      - { name: label, table: holding, address: 3, type: string, length: 4 }
      - { name: pump, table: coils, address: 0, type: bool }
`;

function sim(body: string): string {
  return `${BANK}devices:\n  - name: demo-sim\n    type: simulator\n${body}`;
}

describe('simulator device config', () => {
  it('loads with every: 1s by default, signals in order, constants as constants', () => {
    const config = configOf(
      load(
        sim(`    bank: demo
    signals:
      temperature: { signal: sine, min: 18, max: 24, period: 60s }
      pump: { signal: square, period: 20s }
      label: "LINE-3"
`),
      ),
    );
    const device = config.devices[0];
    expect(device).toMatchObject({ name: 'demo-sim', type: 'simulator', bank: 'demo', every: 1000 });
    if (device?.type !== 'simulator') throw new Error('not a simulator');
    expect([...device.signals]).toEqual([
      ['temperature', { kind: 'sine', min: 18, max: 24, period: 60000 }],
      ['pump', { kind: 'square', min: 0, max: 1, period: 20000 }],
      ['label', { kind: 'constant', value: 'LINE-3' }],
    ]);
    expect(describeConfig(config)).toContain(
      'demo-sim: simulator writing temperature, pump, label of bank demo every 1s',
    );
  });

  it('names a missing bank, an unknown point, text into a number, a signal into a string point', () => {
    const text = sim(`    bank: demo
    every: 100ms
    signals:
      temperature: "hot"
      nosuch: { signal: counter }
      label: { signal: ramp }
  - name: other-sim
    type: simulator
    bank: nobank
    signals: { x: 1 }
`);
    const issues = issuesOf(load(text));
    expect(issueAt(issues, 'devices[0].signals.nosuch')).toMatchObject({
      ...at(text, '^nosuch:'),
      message: expect.stringMatching(/no point "nosuch".*temperature, level, label, pump/),
    });
    expect(issueAt(issues, 'devices[0].signals.temperature').message).toMatch(
      /"hot" is text, but point "temperature" is a float32/,
    );
    expect(issueAt(issues, 'devices[0].signals.label').message).toMatch(
      /is a string: give it a constant text, not a ramp signal/,
    );
    expect(issueAt(issues, 'devices[1].bank')).toMatchObject({
      ...at(text, 'bank: ^nobank'),
      message: expect.stringMatching(/bank "nobank" is not defined.*demo/),
    });
    expect(issues).toHaveLength(4);
  });

  it('refuses a tick under 10ms, a missing signals key, a bad signal and keys of other device types', () => {
    const text = sim(`    bank: demo
    every: 5ms
    baudRate: 9600
  - name: sim2
    type: simulator
    bank: demo
    signals: { level: { signal: sine, min: 5, max: 1 } }
`);
    const issues = issuesOf(load(text));
    expect(issueAt(issues, 'devices[0].every').message).toMatch(/too short/);
    expect(issueAt(issues, 'devices[0].signals').message).toMatch(/is required/);
    expect(issueAt(issues, 'devices[0].baudRate')).toMatchObject(at(text, '^baudRate'));
    expect(issueAt(issues, 'devices[1].signals.level.min').message).toMatch(/5 is above max/);
  });
});
