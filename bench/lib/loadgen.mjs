// Runs bench/bin/loadgen once and returns its JSON line.
import { runProcess } from './proc.mjs';

/**
 * opts: { bin, port, conns, depth, warmupMs, durationMs, maxRequests, timeoutMs, cpu, unit?, addrStep? }
 * (unit: default 1; addrStep: connection i reads from i * addrStep, default 0: all the same block).
 */
export async function runLoadgen(o) {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--conns',
    String(o.conns),
    '--depth',
    String(o.depth),
    '--unit',
    String(o.unit ?? 1),
    '--addr-step',
    String(o.addrStep ?? 0),
    '--addr',
    '0',
    '--count',
    '10',
    '--warmup-ms',
    String(o.warmupMs),
    '--duration-ms',
    String(o.durationMs),
    '--max-requests',
    String(o.maxRequests),
    '--timeout-ms',
    String(o.timeoutMs),
  ];
  const bound = o.warmupMs + o.durationMs + 2 * o.timeoutMs + 10000;
  const r = await runProcess('loadgen', o.bin, args, { cpu: o.cpu, timeoutMs: bound });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let json = null;
  try {
    json = JSON.parse(line);
  } catch {
    /* reported below */
  }
  if (r.timedOut || r.code !== 0 || !json) {
    const why = r.timedOut ? `timed out after ${bound} ms` : `exit ${r.code ?? r.signal}`;
    return {
      ok: false,
      error: `loadgen ${why}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      stderr: r.stderr,
    };
  }
  return { ok: true, ...json, stderr: r.stderr.trim() || undefined };
}

/** Modbus FC3 reads of 10 registers, 10 connections x 1 in flight, with the run's timing options. */
export function modbusReads(ctx, bin, port, cpu) {
  return runLoadgen({
    bin,
    port,
    conns: 10,
    depth: 1,
    warmupMs: ctx.opts.warmupMs,
    durationMs: ctx.opts.durationMs,
    maxRequests: ctx.opts.maxRequests,
    timeoutMs: ctx.opts.timeoutMs,
    cpu,
  });
}
