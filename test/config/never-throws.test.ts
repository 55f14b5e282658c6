/** Whatever the file holds, loading it returns a result: it never throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigText } from '../../src/config/load.js';

const SERVER_KEYS = [
  'name',
  'protocol',
  'listen',
  'ports',
  'onBusy',
  'maxClients',
  'idleTimeout',
  'allow',
  'readOnly',
  'bank',
  'units',
  'maxInFlight',
  'sendTimeout',
  'keepAlive',
];
const DEVICE_KEYS = [
  'name',
  'type',
  'path',
  'host',
  'port',
  'ports',
  'unit',
  'timeout',
  'retries',
  'queue',
  'baudRate',
  'parity',
  'framing',
];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    'modbus',
    'raw',
    'modbus-tcp',
    'serial',
    '0.0.0.0',
    '127.0.0.1:0',
    '[fe80::1%eth0]:502',
    '9601-9603',
    '5s',
    'plant',
    -1,
    0,
    70000,
  ),
);
const item = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'x.y', '__proto__'), value, { maxKeys: 8 });
const document = fc.record(
  {
    gateway: value,
    status: fc.oneof(value, fc.record({ listen: value })),
    banks: fc.oneof(
      value,
      fc.dictionary(
        fc.string({ maxLength: 5 }),
        fc.oneof(value, fc.record({ holding: value, values: fc.record({ holding: value }) })),
      ),
    ),
    servers: fc.oneof(value, fc.array(fc.oneof(item(SERVER_KEYS), value), { maxLength: 3 })),
    devices: fc.oneof(value, fc.array(fc.oneof(item(DEVICE_KEYS), value), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

describe('loading never throws, and explains every problem in its own words', () => {
  it('for any document of roughly the right shape', () => {
    fc.assert(
      fc.property(document, (doc) => {
        const result = loadConfigText(stringify(doc), 'fuzz.yaml');
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) {
            expect(issue.line).toBeGreaterThan(0);
            // every problem was understood: none is convict's raw text passed through
            expect(issue.message).not.toMatch(/configuration param|must be of type|value was/);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(() => loadConfigText(text, 'fuzz.yaml')).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
