/**
 * What `fieldgate check` prints: the plan a config describes, in words and tables a plant engineer
 * can compare with the site drawing.
 */
import type { GatewayConfig, ServerConfig, UnitMap, UnitTarget } from './types.js';

function target(t: UnitTarget): string {
  return t.kind === 'bank' ? `bank ${t.bank}` : `device ${t.device} unit ${t.unit}`;
}

function unitLines(units: UnitMap, indent: string): string[] {
  return [...units].sort(([a], [b]) => a - b).map(([unit, t]) => `${indent}unit ${unit} -> ${target(t)}`);
}

function duration(ms: number): string {
  if (ms === 0) return 'never';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeServer(s: ServerConfig): string[] {
  const where = s.ports ? `${s.host} ports ${s.ports.map((p) => p.port).join(', ')}` : `${s.host}:${s.port}`;
  const lines = [
    `  ${s.name}: ${s.protocol} on ${where}`,
    `    maxClients ${s.maxClients}, idleTimeout ${duration(s.idleTimeout)}, allow ${s.allow ? s.allow.join(' ') : 'everyone'}` +
      `${s.readOnly ? ', read-only' : ''}`,
  ];
  if (s.bank) lines.push(`    every unit id not listed -> bank ${s.bank}`);
  lines.push(...unitLines(s.units, '    '));
  for (const p of s.ports ?? []) {
    lines.push(`    port ${p.port}: ${p.client ? `reserved for ${p.client}` : 'any allowed client'}`);
    if (p.units) lines.push(...unitLines(p.units, '      '));
  }
  return lines;
}

export function describeConfig(config: GatewayConfig): string {
  const lines = [`gateway ${config.gateway.name}, log level ${config.log.level}`];
  lines.push(config.status ? `status endpoint http://${config.status.listen.host}:${config.status.listen.port}` : 'status endpoint disabled');
  lines.push('', `banks (${config.banks.size}):`);
  for (const bank of config.banks.values()) {
    const tables = Object.entries(bank.tables).map(([name, size]) => `${name} ${size}`);
    lines.push(`  ${bank.name}: ${tables.join(', ')}`);
  }
  lines.push('', `servers (${config.servers.length}):`);
  for (const server of config.servers) lines.push(...describeServer(server));
  lines.push('', `devices (${config.devices.length}):`);
  for (const d of config.devices) lines.push(`  ${d.name}: ${d.type}`);
  return lines.join('\n');
}
