/**
 * The bench's target verdicts (bench/lib/modbus-targets.mjs): per-round ratios pair round i with
 * round i and skip failed runs; a median on the right side of the line is met, and rounds on both
 * sides of it are said to be within noise; the table names every target with its line.
 */
import { describe, expect, it } from 'vitest';

interface Run {
  readonly ok: boolean;
  readonly [field: string]: unknown;
}
interface Targets {
  roundRatios(a: readonly Run[], b: readonly Run[], value: (r: Run) => number): number[];
  verdict(ratios: readonly number[], line: number, kind: 'max' | 'min'): { median: number | null; text: string };
  targetsTable(subject: unknown, libmodbus: unknown): string | null;
}
// The bench is plain JavaScript (run by node directly): imported untyped, used through `Targets`.
const BENCH_TARGETS: string = '../../bench/lib/modbus-targets.mjs';
const { roundRatios, targetsTable, verdict } = (await import(BENCH_TARGETS)) as Targets;

const run = (fields: Record<string, number>, ok = true) => ({ ok, ...fields });

describe('bench Modbus targets', () => {
  it('pairs rounds by index and skips a round where either run failed', () => {
    const fg = [run({ rps: 100 }), run({ rps: 90 }, false), run({ rps: 120 })];
    const lm = [run({ rps: 50 }), run({ rps: 100 }), run({ rps: 100 })];
    expect(roundRatios(fg, lm, (r) => r.rps as number)).toEqual([2, 1.2]);
  });

  it('judges the median against the line, and says when the rounds straddle it', () => {
    expect(verdict([0.9, 0.95, 0.98], 1.0, 'max').text).toBe('met');
    expect(verdict([0.9, 1.05, 0.98], 1.0, 'max').text).toBe('met (within noise)');
    expect(verdict([1.1, 1.05, 0.98], 1.0, 'max').text).toBe('NOT MET (within noise)');
    expect(verdict([3.3, 3.1, 3.6], 3.0, 'min').text).toBe('met');
    expect(verdict([2.5, 2.9, 2.8], 3.0, 'min').text).toBe('NOT MET');
    expect(verdict([], 1.0, 'max').text).toBe('-');
  });

  it('prints every target with its verdict, the fixed load and the memory in MiB and MB', () => {
    const cases = (cpu: number, rps: number, p99: number, piped: number) => [
      { conns: 10, depth: 1, runs: [run({ server_cpu_s_per_100k: cpu, rps, p99_us: p99 })] },
      { conns: 100, depth: 1, runs: [run({ server_cpu_s_per_100k: cpu, rps, p99_us: p99 })] },
      { conns: 10, depth: 8, runs: [run({ rps: piped })] },
      { conns: 100, depth: 8, runs: [run({ rps: piped })] },
    ];
    const subject = {
      cases: cases(0.9, 110, 300, 330),
      fixed: { runs: [run({ server_cpu_pct: 4 })] },
      memory: { hwmKiB: 61.6 * 1024 },
    };
    const libmodbus = { cases: cases(1.0, 100, 250, 100), fixed: { runs: [run({ server_cpu_pct: 2.5 })] } };
    const text = targetsTable(subject, libmodbus) ?? '';
    const line = (start: string) => text.split('\n').find((l) => l.startsWith(start)) ?? '';
    expect(line('10 x 1 CPU per request')).toMatch(/<= 1\.0x\s+0\.90x\s+0\.90x-0\.90x\s+met/);
    expect(line('100 x 1 req/s')).toMatch(/>= 1\.0x\s+1\.10x.*met/);
    expect(line('10 x 1 p99')).toMatch(/1\.20x.*met/);
    expect(line('10 x 8 req/s')).toMatch(/>= 3\.0x\s+3\.30x.*met/);
    expect(line('fixed load CPU')).toMatch(/<= 1\.2x\s+1\.60x.*NOT MET/);
    expect(line('peak RSS')).toMatch(/61\.6 MiB = 64\.6 MB\s+met in MiB, NOT MET in MB/);
    expect(targetsTable(subject, undefined)).toBeNull();
  });
});
