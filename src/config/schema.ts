/**
 * The top-level convict schema of the configuration file (DESIGN §2.2). Lists and maps of items are
 * single keys here; each item is validated with its own schema (items/).
 */
import { defineFormat, type SchemaDef } from './convict-bridge.js';
import { CHOICE, ENDPOINT, TEXT } from './formats.js';
import { checkBanks } from './items/bank.js';
import { checkDevice } from './items/device.js';
import { checkEach } from './items/list.js';
import { checkServer } from './items/server.js';
import type { Hints } from './unknown-keys.js';
import type { LogLevel } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export const checkServers = (raw: unknown) =>
  checkEach(raw, 'write one item per server, each starting with "- name: ..."', checkServer);
export const checkDevices = (raw: unknown) =>
  checkEach(raw, 'write one item per device, each starting with "- name: ..."', checkDevice);

const SERVERS = defineFormat('fg-servers', (raw) => checkServers(raw).problems);
const DEVICES = defineFormat('fg-devices', (raw) => checkDevices(raw).problems);

export const TOP: SchemaDef = {
  gateway: {
    name: { doc: 'name shown in logs, status and Modbus device identification', format: TEXT, default: 'fieldgate' },
  },
  log: {
    level: { doc: `log level: ${LOG_LEVELS.join(' | ')}`, format: CHOICE, values: LOG_LEVELS, default: 'info' },
  },
  status: {
    listen: {
      doc: 'host:port of the HTTP status endpoint (GET /health, /status, /metrics); omit status to disable it',
      format: ENDPOINT,
      default: undefined,
    },
  },
  banks: {
    doc: 'register images: name -> { holding, input, coils, discrete: SIZE, values: {...} }',
    format: Object, default: null, nullable: true, blankIsAbsent: true,
    check: (raw) => checkBanks(raw).problems,
  },
  servers: { doc: 'listeners: a list of servers', format: SERVERS, default: [], blankIsAbsent: true },
  devices: { doc: 'what fieldgate connects out to: a list of devices', format: DEVICES, default: [], blankIsAbsent: true },
};

/** Keys of DESIGN §2.2 that later versions add. */
export const NOT_YET: Hints = { polls: 'polls are not supported by this version' };

/** What convict returns for TOP. */
export interface TopProps {
  gateway: { name: string };
  log: { level: LogLevel };
  status: { listen?: string };
  banks: Record<string, unknown> | null;
  servers: unknown[];
  devices: unknown[];
}
