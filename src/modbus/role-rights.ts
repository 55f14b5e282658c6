/**
 * Modbus/TCP Security authorization: what a session may do, from the role in its client
 * certificate (codec/x509/role.ts) and the server's `roles:`. Decided once per session, when it
 * opens: the session's request handler is wrapped, so a server without `roles` pays nothing, and
 * a role with full rights gets the server's handler unchanged.
 *   - no role, or a role not in `roles`: every request is answered 01 (illegal function), as the
 *     specification's "no rights" is;
 *   - `write: false`: only the reads of read-only.ts pass (FC 1, 2, 3, 4, 20, 43/14); writes (5, 6,
 *     15, 16, 22, 23: its write part makes the whole request a write) and anything else get 01;
 *   - `units`: a request for another unit id gets 01 as well: not authorized is one answer, not
 *     0A/0B, which would tell a client that the unit exists but does not answer.
 */
import { ExceptionCode, exceptionReply } from '../codec/pdu/exception.js';
import type { ModbusServerConfig } from '../config/types.js';
import { readOnlyAllows } from './read-only.js';
import type { RequestHandler } from './request-handler.js';

export type Roles = NonNullable<ModbusServerConfig['roles']>;

const refuse: RequestHandler = (_unit, pdu) => exceptionReply(pdu[0] ?? 0, ExceptionCode.IllegalFunction);

/** The handler of a session whose certificate carries `role` (null: none), on a server with `roles`. */
export function handlerForRole(handler: RequestHandler, roles: Roles | undefined, role: string | null): RequestHandler {
  if (!roles) return handler;
  const rights = role !== null ? roles.get(role) : undefined;
  if (!rights) return refuse;
  if (rights.write && !rights.units) return handler;
  const units = rights.units ? new Uint8Array(256) : undefined;
  for (const id of rights.units ?? []) if (units) units[id] = 1;
  const write = rights.write;
  return (unit, pdu, origin) => {
    if (units !== undefined && units[unit] !== 1) return refuse(unit, pdu);
    if (!write && !readOnlyAllows(pdu)) return refuse(unit, pdu);
    return handler(unit, pdu, origin);
  };
}
