/**
 * Unit 0 on an RTU bus is a broadcast (Modbus over Serial Line v1.02 §2.1): every slave executes a
 * write and none answers; a read makes no sense and is ignored. An RTU server plays the slaves: the
 * serial RTU slave (serial-server.ts) and a `frame: rtu` server (RTU frames over TCP) both use this.
 *   - a broadcast write is executed once on every bank the server serves (the first unit that
 *     resolves to each bank), through the same request handler as an addressed write;
 *   - units routed to a device are not written: a broadcast is not forwarded to a bus behind the
 *     gateway (a master that wants that addresses the bus itself);
 *   - a read, or anything on a read-only server, is ignored;
 *   - nothing is ever answered.
 */
import type { Bank } from '../bank/bank.js';
import { BROADCAST_UNIT } from '../codec/rtu/frame.js';
import type { Logger } from '../log.js';
import { readOnlyAllows } from './read-only.js';
import type { RequestHandler } from './request-handler.js';
import type { UnitRouter } from './unit-router.js';

/** Executes one broadcast PDU; true when it was a write that was executed, false when ignored. */
export type Broadcast = (pdu: Buffer) => boolean;

export interface BroadcastOptions {
  readonly readOnly: boolean;
  readonly log: Logger;
}

export function createBroadcast(router: UnitRouter, handler: RequestHandler, options: BroadcastOptions): Broadcast {
  const units = unitPerBank(router);
  return (pdu) => {
    if (options.readOnly || readOnlyAllows(pdu)) return false;
    for (const unit of units) {
      try {
        const result = handler(unit, pdu);
        if (result instanceof Promise) result.catch(() => undefined);
      } catch (err) {
        options.log.error({ err, unit, fc: pdu[0] }, 'broadcast failed');
      }
    }
    return true;
  };
}

/**
 * `handler` for a server of RTU frames (`frame: rtu`): unit 0 is a broadcast (executed or ignored,
 * never answered: null), every other unit goes to `handler`.
 */
export function withBroadcast(router: UnitRouter, handler: RequestHandler, options: BroadcastOptions): RequestHandler {
  const broadcast = createBroadcast(router, handler, options);
  return (unit, pdu, origin) => {
    if (unit !== BROADCAST_UNIT) return handler(unit, pdu, origin);
    broadcast(pdu);
    return null;
  };
}

/** One unit id per bank the router serves (units 1-247, the slave addresses). */
function unitPerBank(router: UnitRouter): number[] {
  const seen = new Set<Bank>();
  const units: number[] = [];
  for (let unit = 1; unit <= 247; unit++) {
    const route = router.resolve(unit);
    if (route?.kind !== 'bank' || seen.has(route.bank)) continue;
    seen.add(route.bank);
    units.push(unit);
  }
  return units;
}
