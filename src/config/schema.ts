/**
 * The configuration file: its sections, each declared once (items/), and what the rest of fieldgate
 * sees of it: every default applied, durations in milliseconds, addresses parsed, maps built.
 */
import { listOf, record, section } from './declare/kit.js';
import { choice, text } from './declare/leaves.js';
import { show } from './issues.js';
import { BANKS } from './items/bank.js';
import { COMMAND, finishCommands } from './items/command.js';
import { DEVICE } from './items/device.js';
import { finishMqtt, MQTT } from './items/mqtt.js';
import { POLL } from './items/poll.js';
import { SERVER } from './items/server.js';
import { STATUS, statusRules } from './items/status.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** A top-level list; `what` says how to write its items. */
const list = <const I extends Parameters<typeof listOf>[1]>(doc: string, what: string, item: I) =>
  listOf(
    { doc, blankIsAbsent: true, remember: true, notList: (raw: unknown) => `${show(raw)} is not a list: ${what}` },
    item,
  );

export const TOP = record(
  { doc: 'the configuration file' },
  {
    gateway: section('the gateway itself', {
      name: text({ doc: 'name shown in logs, status and Modbus device identification', default: 'fieldgate' }),
    }),
    log: section('logging', {
      level: choice(LOG_LEVELS, { doc: `log level: ${LOG_LEVELS.join(' | ')}`, default: 'info' }),
    }),
    status: STATUS,
    banks: BANKS,
    servers: list(
      'listeners: a list of servers',
      'write one item per server, each starting with "- name: ..."',
      SERVER,
    ),
    devices: list(
      'what fieldgate connects out to: a list of devices',
      'write one item per device, each starting with "- name: ..."',
      DEVICE,
    ),
    polls: list(
      'reads from Modbus devices into banks, on a schedule: a list of polls',
      'write one item per poll, each starting with "- device: ..."',
      POLL,
    ),
    commands: list(
      'writes into bank points that send frames to raw devices: a list of commands',
      'write one item per command, each starting with "- name: ..."',
      COMMAND,
    ),
    mqtt: MQTT,
  },
  {
    rules: statusRules,
    finish: (p) => {
      const banks = p.banks ?? (new Map() as NonNullable<typeof p.banks>);
      return {
        gateway: p.gateway,
        log: p.log,
        /** HTTP status endpoint; undefined = disabled. */
        ...(p.status.listen !== undefined ? { status: { ...p.status, listen: p.status.listen } } : {}),
        banks,
        servers: p.servers ?? [],
        devices: p.devices ?? [],
        /** Reads from Modbus devices into banks, on a schedule. */
        polls: p.polls ?? [],
        /** Writes into bank points that send frames to raw devices. */
        commands: finishCommands(p.commands ?? [], banks),
        /** The northbound MQTT link; undefined = disabled. */
        ...(p.mqtt !== undefined ? { mqtt: finishMqtt(p.mqtt, p.gateway.name) } : {}),
      };
    },
  },
);
