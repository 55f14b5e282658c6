/**
 * A configured Modbus TCP server: its ports (one, or an Omron-style pool), its sessions, and how
 * their requests are routed. A pool port with its own `units` gets its own router: its unit map
 * takes precedence over the server's, so the port a PLC dials in on decides where its data lands.
 * With `frame: rtu` unit 0 is a broadcast, as on an RTU bus: writes executed on every bank served,
 * nothing answered (broadcast-request.ts, shared with the serial RTU slave).
 */
import type net from 'node:net';
import type { ModbusServerConfig, PoolPort } from '../config/types.js';
import type { CloseReason } from '../transport/session-stream.js';
import type { GatewayServer, ServerDeps } from '../servers/server.js';
import { SessionServer } from '../servers/session-server.js';
import { withBroadcast } from './broadcast-request.js';
import { createRequestHandler, type RequestHandler } from './request-handler.js';
import { handlerForRole } from './role-rights.js';
import type { TlsPeer } from '../transport/tls-accept.js';
import { mbapFraming, rtuFraming } from './request-framing.js';
import { ModbusSession } from './server-session.js';
import { UnitRouter } from './unit-router.js';

export class ModbusServer extends SessionServer<ModbusSession> implements GatewayServer {
  private readonly handler: RequestHandler;
  /** `frame: rtu`: request frames dropped for a bad CRC, over every session since start. */
  private crcDropped = 0;
  /** Pool ports with a unit map of their own. */
  private readonly portHandlers = new Map<number, RequestHandler>();

  constructor(
    readonly config: ModbusServerConfig,
    private readonly deps: ServerDeps,
  ) {
    super(config, deps, true); // read into reused buffers (server-session.ts: a frame is valid during its handling)
    this.handler = this.handlerFor(config.units);
    for (const p of config.ports ?? []) {
      if (p.units) this.portHandlers.set(p.port, this.handlerFor(new Map([...config.units, ...p.units])));
    }
  }

  /** The first port (an ordinary server has only one). */
  get port(): number {
    return this.listeners.table()[0]?.port ?? 0;
  }

  /** `frame: rtu` only: frames dropped for a bad CRC since start. */
  crcErrors(): number | undefined {
    return this.config.frame === 'rtu' ? this.crcDropped : undefined;
  }

  start(): Promise<void> {
    return this.listeners.listen();
  }

  /** Stops accepting, lets requests in flight be answered, closes every session. */
  async stop(reason: CloseReason, graceMs: number): Promise<void> {
    await this.sessions.stop(this.listeners, reason, graceMs);
  }

  private handlerFor(units: ModbusServerConfig['units']): RequestHandler {
    const { config, deps } = this;
    const router = new UnitRouter(units, config.bank, deps.banks, config.device);
    const { readOnly } = config;
    const handler = createRequestHandler(router, { readOnly, identity: deps.identity, devices: deps.devices });
    // RTU frames: unit 0 is a broadcast, as on a bus (broadcast-request.ts)
    return config.frame === 'rtu' ? withBroadcast(router, handler, { readOnly, log: this.log }) : handler;
  }

  protected open(socket: net.Socket, remote: string, pool: PoolPort | undefined, peer?: TlsPeer): ModbusSession {
    const life = this.sessions.next(remote);
    const { observer } = this.deps;
    const name = this.config.name;
    const session = new ModbusSession(socket, {
      ...life,
      handler: handlerForRole(
        (pool && this.portHandlers.get(pool.port)) ?? this.handler,
        this.config.roles,
        peer?.role ?? null,
      ),
      framing: this.config.frame === 'rtu' ? rtuFraming(() => this.crcDropped++) : mbapFraming(),
      maxInFlight: this.config.maxInFlight,
      onClose: (s, reason) => this.sessions.closed(s, reason),
      onReply: (fc, exception, seconds) => observer.request(name, fc, exception, seconds),
    });
    return this.sessions.opened(session, life.log, pool?.port ?? socket.localPort, peer);
  }
}
