/**
 * `fieldgate simulate`: plays the field hardware a profile describes, for tests and commissioning.
 * Picks the role from the profile's simulate: section and the transport from the command line,
 * checks that they go together, and starts it. No process handling here (the CLI owns signals and
 * exit codes): the caller gets a handle to stop.
 */
import { registerSpan } from '../codec/profile/encode.js';
import type { ProfileConfig, ProfileSimulation } from '../config/types.js';
import { FieldgateError } from '../errors.js';
import { answerConversation } from './answer.js';
import { Dialer } from './dial.js';
import type { SimulateOptions, Transport } from './options.js';
import { plcConversation } from './plc.js';
import { startRtuSlave } from './rtu-slave.js';
import { serve } from './serve.js';
import { streamConversation } from './stream.js';
import { Tally, type Conversation, type Say, type Simulation } from './types.js';

type Role = ProfileSimulation['role'];

function usage(message: string): FieldgateError {
  return new FieldgateError('FG_ERR_USAGE', `simulate: ${message}`);
}

/** The role this profile plays over this transport; a mismatch is a usage error. */
export function roleFor(profile: ProfileConfig, sim: ProfileSimulation, transport: Transport): Role {
  if (transport.kind === 'serial') {
    if (profile.format !== 'registers')
      throw usage(
        `--serial plays a Modbus RTU slave: it needs a register profile (format: registers); ${profile.name} is ${profile.format}`,
      );
    return 'rtu-slave';
  }
  if (sim.role === 'rtu-slave') throw usage(`${profile.name} plays a Modbus RTU slave: give --serial PATH`);
  if (sim.role === 'plc' && transport.kind === 'listen') {
    throw usage(
      `${profile.name} plays a PLC that dials in: give --connect HOST:PORT (a pool port of fieldgate), or --serial PATH to play it as an RTU slave`,
    );
  }
  return sim.role;
}

/** What to add to a profile without a simulate: section: an example built from its own fields. */
export function simulateExample(profile: ProfileConfig): string[] {
  const registers = profile.format === 'registers';
  const numbers = profile.fields.filter((f) => f.type !== 'string' && f.type !== 'enum').slice(0, 3);
  const values =
    numbers.length > 0
      ? numbers.map((f) => `    ${f.name}: { signal: sine, min: 0, max: 100, period: 10s }`)
      : profile.fields.slice(0, 1).map((f) => `    ${f.name}: ABC`);
  return [
    'simulate:',
    registers
      ? '  role: plc                   # writes the registers with FC16 (--connect); with --serial: an RTU slave'
      : '  role: stream                # sends a frame every `every`; answer: replies to trigger lines',
    `  every: ${registers ? '500ms' : '100ms'}`,
    ...(registers ? ['  unit: 1'] : []),
    '  values:                     # field -> signal or constant; a field left out is sent as 0',
    ...values,
  ];
}

export async function startSimulation(profile: ProfileConfig, options: SimulateOptions, say: Say): Promise<Simulation> {
  const sim = profile.simulate;
  if (!sim) {
    throw new FieldgateError(
      'FG_ERR_CONFIG',
      `profile ${profile.name} (${profile.file}) has no simulate: section, so there is nothing to play. Add one, e.g.:`,
      simulateExample(profile),
    );
  }
  const role = roleFor(profile, sim, options.transport);
  const every = options.every ?? sim.every;
  const tally = new Tally(options.count);
  const t = options.transport;
  const what = `${profile.name} as ${role}${role === 'answer' ? '' : ` every ${every}ms`}`;
  if (options.unit !== undefined && (role === 'stream' || role === 'answer'))
    throw usage(`--unit is for plc and rtu-slave; ${profile.name} plays ${role}`);
  const unit = options.unit ?? sim.unit;
  const address = registerAddress(profile, role, options.address);
  if (t.kind === 'serial') {
    const slave = await startRtuSlave(
      {
        profile,
        values: sim.values,
        every,
        unit,
        address,
        tally,
        path: t.path,
        baudRate: t.baudRate,
        parity: t.parity,
      },
      say,
    );
    return handle(`${what}, unit ${unit} at register ${address} on ${t.path}`, tally, () => slave.stop());
  }
  const converse: Conversation =
    role === 'stream'
      ? streamConversation({ profile, values: sim.values, every, tally }, t.kind === 'listen')
      : role === 'answer'
        ? answerConversation(profile, tally, say)
        : plcConversation({ profile, values: sim.values, every, unit, address, tally }, say);
  if (t.kind === 'connect') {
    const dialer = new Dialer(t.host, t.port, say, converse);
    dialer.start();
    return handle(`${what}, connecting to ${t.host}:${t.port}`, tally, () => dialer.stop());
  }
  const listening = await serve(t.host, t.port, say, converse);
  return {
    ...handle(`${what}, listening on ${t.host}:${listening.port}`, tally, () => listening.stop()),
    port: listening.port,
  };
}

/** Where a register layout starts: `--address`, else the layout's own first register; it must fit. */
function registerAddress(profile: ProfileConfig, role: Role, given: number | undefined): number {
  if (profile.format !== 'registers') {
    if (given !== undefined)
      throw usage(`--address is for register profiles (plc, rtu-slave); ${profile.name} plays ${role}`);
    return 0;
  }
  const span = registerSpan(profile);
  if (given === undefined) return span.address;
  if (given + span.count > 65536)
    throw usage(
      `--address ${given}: the layout of ${profile.name} is ${span.count} registers, so it must start at ${65536 - span.count} at most`,
    );
  return given;
}

function handle(what: string, tally: Tally, stop: () => Promise<void>): Simulation {
  let stopping: Promise<void> | undefined;
  return { what, done: tally.reached, count: () => tally.value, stop: () => (stopping ??= stop()) };
}
