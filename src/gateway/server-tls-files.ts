/**
 * The TLS files of the servers with `tls:` (certificate, key, client CA), read and checked at start
 * and on every reload before anything is applied (config/read-tls.ts). A file that cannot be read or
 * used refuses the whole reload, naming the file: the running configuration and certificates stay.
 * Servers built by the reload get the new files; servers left running get them for new
 * connections (`reloadTls`), their open sessions untouched. The client `tls:` blocks (modbus-tcp
 * devices, mqtt) are read at every connect; a reload checks them too, so a broken file is refused
 * then rather than found at the next reconnect.
 */
import { checkClientTls, readTls, type TlsMaterial } from '../config/read-tls.js';
import type { GatewayConfig, ServerConfig } from '../config/types.js';
import type { FieldgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { GatewayServer } from '../servers/server.js';

export class ServerTlsFiles {
  private material = new Map<string, TlsMaterial>();

  /** The files of server `name`, as last read. */
  get(name: string): TlsMaterial | undefined {
    return this.material.get(name);
  }

  /** Every `tls:` server's files, read again; or the first that cannot be used. Nothing is kept yet. */
  async read(servers: readonly ServerConfig[]): Promise<Map<string, TlsMaterial> | FieldgateError> {
    const out = new Map<string, TlsMaterial>();
    for (const s of servers) {
      if (!s.tls) continue;
      const m = await readTls(s.tls, `server "${s.name}" tls`);
      if (m instanceof Error) return m;
      out.set(s.name, m);
    }
    return out;
  }

  /** Reads and keeps them (start: an error is thrown). */
  async load(servers: readonly ServerConfig[]): Promise<void> {
    const read = await this.read(servers);
    if (read instanceof Error) throw read;
    this.material = read;
  }

  /** Keeps what `read` returned (a reload being applied). */
  keep(material: Map<string, TlsMaterial>): void {
    this.material = material;
  }

  /** Hands the files kept to running servers that were not built with them (a reload). */
  renew(running: readonly GatewayServer[], built: ReadonlySet<string>, log: Logger): void {
    for (const server of running) {
      const m = this.material.get(server.name);
      if (!m || built.has(server.name) || !server.reloadTls) continue;
      server.reloadTls(m);
      log.info({ server: server.name, cert: server.config.tls?.cert }, 'server certificate read again');
    }
  }
}

/** The client `tls:` blocks of `config` (modbus-tcp devices, mqtt) checked; the first broken file. */
export async function checkClientTlsFiles(config: GatewayConfig): Promise<FieldgateError | undefined> {
  for (const d of config.devices) {
    if (d.type !== 'modbus-tcp' || !d.tls) continue;
    const bad = await checkClientTls(d.tls, `device "${d.name}" tls`);
    if (bad) return bad;
  }
  return config.mqtt?.tls ? checkClientTls(config.mqtt.tls, 'mqtt.tls') : undefined;
}
