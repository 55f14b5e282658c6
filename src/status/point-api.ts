/**
 * The console's register and point API on the status endpoint:
 * - GET /banks/<bank>/<table>?start=N&count=M: raw values of a bank table (registers, or bits as
 *   0/1) at the addresses the bank uses (a table may start past 0); at most 125 registers or 2000
 *   bits a request, like a Modbus read; start defaults to the table's first address, count to as
 *   many as fit.
 * - POST /banks/<bank>/points/<point> with {"value": v}: writes the point as a Modbus client's write
 *   would (mqtt/point-write.ts: type and range checked, polls' write-through, commands, MQTT), only
 *   with `status.writes: true` and a token; every write is logged with the client's address, every
 *   refusal too (rate-limited per client).
 */
import type { Bank } from '../bank/bank.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import type { PointValue } from '../codec/point-codec.js';
import { TABLE_NAMES, type TableName } from '../config/types.js';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';
import { writePoint } from '../mqtt/point-write.js';
import type { Reply, Route, RouteRequest } from './http.js';

export const MAX_REGISTERS = 125;
export const MAX_BITS = 2000;

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (status: number, body: unknown): Reply => ({ status, type: JSON_TYPE, body: `${JSON.stringify(body)}\n` });
const error = (status: number, reason: string): Reply => json(status, { error: reason });

const TABLE_PATH = /^\/banks\/([^/]+)\/([^/]+)$/;
const POINT_PATH = /^\/banks\/([^/]+)\/points\/([^/]+)$/;
const UINT = /^\d{1,6}$/;

export interface PointApiDeps {
  readonly banks: () => ReadonlyMap<string, Bank> | undefined;
  readonly identity: () => DeviceIdentity;
  readonly log: Logger;
  /** `status.writes` with a token: whether POST writes. */
  readonly writes: () => boolean;
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export class PointApi {
  private readonly refusals: LogLimit;

  constructor(private readonly deps: PointApiDeps) {
    this.refusals = new LogLimit(deps.log, { sourceField: 'client' });
  }

  /** The route of a /banks/... path, or undefined. */
  route(path: string): Route | undefined {
    if (!path.startsWith('/banks/')) return undefined;
    if (POINT_PATH.test(path)) return { methods: ['POST'], answer: (req) => this.write(req) };
    if (TABLE_PATH.test(path)) return { answer: (req) => this.read(req) };
    return undefined;
  }

  stop(): void {
    this.refusals.stop();
  }

  private bank(part: string): Bank | undefined {
    const name = decode(part);
    return name === undefined ? undefined : this.deps.banks()?.get(name);
  }

  read(req: RouteRequest): Reply {
    const [, bankPart = '', tablePart = ''] = TABLE_PATH.exec(req.path) ?? [];
    const bank = this.bank(bankPart);
    if (!bank) return error(404, `no bank ${decode(bankPart) ?? bankPart}`);
    const name = tablePart as TableName;
    const table = TABLE_NAMES.includes(name) ? bank.table(name) : undefined;
    if (!table)
      return error(404, `bank ${bank.name} has no ${tablePart} table (it has ${Object.keys(bank.shape).join(', ')})`);
    const first = bank.starts[name];
    const bits = name === 'coils' || name === 'discrete';
    const max = bits ? MAX_BITS : MAX_REGISTERS;
    const last = first + table.length - 1;
    const startText = req.query.get('start');
    const countText = req.query.get('count');
    if (startText !== null && !UINT.test(startText)) return error(400, `start ${startText} is not an address`);
    if (countText !== null && !UINT.test(countText)) return error(400, `count ${countText} is not a number`);
    const start = startText === null ? first : Number(startText);
    const count = countText === null ? Math.max(0, Math.min(max, last - start + 1)) : Number(countText);
    if (count < 1 || count > max) return error(400, `count must be 1..${max} for the ${name} table`);
    const index = bank.indexOf(name, start, count);
    if (index < 0)
      return error(
        400,
        `${start}..${start + count - 1} is outside the ${name} table of bank ${bank.name} (${first}..${last})`,
      );
    const values = Array.from(table.subarray(index, index + count));
    return json(200, { bank: bank.name, table: name, start, count, values });
  }

  async write(req: RouteRequest): Promise<Reply> {
    const [, bankPart = '', pointPart = ''] = POINT_PATH.exec(req.path) ?? [];
    const pointName = decode(pointPart) ?? pointPart;
    const where = { client: req.client, bank: decode(bankPart) ?? bankPart, point: pointName };
    const refuse = (status: number, reason: string): Reply => {
      this.refusals.hit('status endpoint: point write refused', { ...where, reason }, undefined, req.client);
      return error(status, reason);
    };
    if (!this.deps.writes())
      return refuse(403, 'writes are off: set status.writes: true (with status.tokenFile) to write points here');
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;|$)/i.test(type))
      return refuse(415, 'send the body as Content-Type: application/json');
    const bank = this.bank(bankPart);
    if (!bank) return refuse(404, `no bank ${where.bank}`);
    if (!bank.point(pointName)) return refuse(404, `bank ${bank.name} has no point ${pointName}`);
    const value = parseValue(req.body);
    if (typeof value === 'object') return refuse(400, value.error);
    const why = await writePoint(bank, pointName, value, this.deps.identity());
    if (why !== undefined) return refuse(400, why);
    this.deps.log.info({ ...where, value }, 'status endpoint: point written');
    return json(200, { ok: true });
  }
}

/** The value of a {"value": v} body, or why there is none. */
export function parseValue(body: Buffer): PointValue | { readonly error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { error: `the body is not JSON (${err instanceof Error ? err.message : String(err)}): send {"value": ...}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !('value' in parsed))
    return { error: 'the body has no value: send {"value": ...}' };
  const value: unknown = parsed.value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return { error: `${JSON.stringify(value)} is not a value: give a number, true/false or text` };
}
