import { describe, expect, it } from 'vitest';
import { parseSparkplugTopic, parseState, sparkplugTopic, stateTopic } from '../../../src/codec/sparkplug/index.js';

describe('sparkplugTopic / parseSparkplugTopic', () => {
  it('builds node and device topics', () => {
    expect(sparkplugTopic('Plant1', 'NBIRTH', 'gw1')).toBe('spBv1.0/Plant1/NBIRTH/gw1');
    expect(sparkplugTopic('Plant1', 'DDATA', 'gw1', 'plc-3')).toBe('spBv1.0/Plant1/DDATA/gw1/plc-3');
  });

  it('parses what it builds', () => {
    expect(parseSparkplugTopic('spBv1.0/Plant1/NCMD/gw1')).toEqual({ group: 'Plant1', type: 'NCMD', node: 'gw1' });
    expect(parseSparkplugTopic('spBv1.0/Plant1/DCMD/gw1/plc-3')).toEqual({
      group: 'Plant1',
      type: 'DCMD',
      node: 'gw1',
      device: 'plc-3',
    });
    for (const type of ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const) {
      expect(parseSparkplugTopic(sparkplugTopic('g', type, 'n'))).toEqual({ group: 'g', type, node: 'n' });
    }
    for (const type of ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const) {
      expect(parseSparkplugTopic(sparkplugTopic('g', type, 'n', 'd'))).toEqual({
        group: 'g',
        type,
        node: 'n',
        device: 'd',
      });
    }
  });

  it('refuses other namespaces, unknown types, wrong part counts and empty parts', () => {
    for (const t of [
      'spAv1.0/g/NDATA/n', // namespace
      'spBv1.0/g/NFOO/n', // type
      'spBv1.0/g/STATE/n',
      'spBv1.0/STATE/host', // the STATE topic is not a node topic
      'spBv1.0/g/ndata/n', // case matters
      'spBv1.0/g/NDATA', // too few
      'spBv1.0/g/NDATA/n/d', // node message with a device
      'spBv1.0/g/DDATA/n', // device message without one
      'spBv1.0/g/DDATA/n/d/x', // too many
      'spBv1.0//NDATA/n', // empty group
      'spBv1.0/g/DCMD/n/', // empty device
      '',
      'spBv1.0',
    ]) {
      expect(parseSparkplugTopic(t), t).toBeUndefined();
    }
  });
});

describe('stateTopic / parseState', () => {
  it('builds the 3.0 STATE topic', () => {
    expect(stateTopic('scada-1')).toBe('spBv1.0/STATE/scada-1');
  });

  it('reads the 3.0 JSON payload', () => {
    expect(parseState(Buffer.from('{"online":true,"timestamp":1700000000000}'))).toEqual({
      online: true,
      timestamp: 1700000000000,
    });
    expect(parseState(Buffer.from(' {"timestamp": 5, "online": false}\n'))).toEqual({ online: false, timestamp: 5 });
  });

  it('reads the 2.2-era text payload with timestamp 0', () => {
    expect(parseState(Buffer.from('ONLINE'))).toEqual({ online: true, timestamp: 0 });
    expect(parseState(Buffer.from('OFFLINE'))).toEqual({ online: false, timestamp: 0 });
  });

  it('gives undefined for anything else, without throwing', () => {
    for (const s of [
      '',
      'online',
      '{',
      'null',
      '[]',
      '42',
      '"ONLINE"',
      '{"online":"true","timestamp":1}',
      '{"online":true}',
      '{"online":true,"timestamp":"1"}',
      '{"timestamp":1}',
    ]) {
      expect(parseState(Buffer.from(s)), s).toBeUndefined();
    }
    expect(parseState(Buffer.from([0xff, 0xfe, 0x00, 0x7b]))).toBeUndefined();
    expect(parseState(Buffer.alloc(10_000, 0x20))).toBeUndefined();
  });
});
