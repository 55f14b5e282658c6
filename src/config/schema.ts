/**
 * The top-level convict schema of the configuration file (DESIGN §2.2). Lists and maps of items are
 * single keys here; each item is validated with its own schema (items/).
 */
import type { Leaf, SchemaDef } from './convict-bridge.js';
import type { Problem } from './issues.js';
import { onceByObject } from './memo.js';
import { CHOICE, ENDPOINT, TEXT } from './formats.js';
import { checkBanks } from './items/bank.js';
import { checkCommand } from './items/command.js';
import { checkDevice } from './items/device.js';
import { checkEach } from './items/list.js';
import { checkPoll } from './items/poll.js';
import { checkServer } from './items/server.js';
import type { Hints } from './unknown-keys.js';
import type { LogLevel } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

// Each list item is validated by its own convict schema (items/); the lists themselves are carried
// past convict (it cannot walk them) and checked once per load (memo.ts).
export const checkServers = onceByObject((raw: unknown) =>
  checkEach(raw, 'write one item per server, each starting with "- name: ..."', checkServer));
export const checkDevices = onceByObject((raw: unknown) =>
  checkEach(raw, 'write one item per device, each starting with "- name: ..."', checkDevice));
export const checkPolls = onceByObject((raw: unknown) =>
  checkEach(raw, 'write one item per poll, each starting with "- device: ..."', checkPoll));
export const checkCommands = onceByObject((raw: unknown) =>
  checkEach(raw, 'write one item per command, each starting with "- name: ..."', checkCommand));
export const checkBankMap = onceByObject(checkBanks);

/** A top-level list: carried past convict, checked item by item. */
const list = (doc: string, check: (raw: unknown) => { problems: readonly Problem[] }): Leaf => ({
  doc, format: Object, default: null, nullable: true, scalarToo: true, blankIsAbsent: true,
  check: (raw) => check(raw).problems,
});

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
    check: (raw) => checkBankMap(raw).problems,
  },
  servers: list('listeners: a list of servers', checkServers),
  devices: list('what fieldgate connects out to: a list of devices', checkDevices),
  polls: list('reads from Modbus devices into banks, on a schedule: a list of polls', checkPolls),
  commands: list('writes into bank points that send frames to raw devices: a list of commands', checkCommands),
};

/** Keys of DESIGN §2.2 that later versions add. */
export const NOT_YET: Hints = {};

/** What convict returns for TOP. */
export interface TopProps {
  gateway: { name: string };
  log: { level: LogLevel };
  status: { listen?: string };
  banks: Record<string, unknown> | null;
  servers: unknown[] | null;
  devices: unknown[] | null;
  polls: unknown[] | null;
  commands: unknown[] | null;
}
