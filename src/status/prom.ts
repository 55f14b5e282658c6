/**
 * The parts of prom-client the status endpoint uses (Registry, Counter, Gauge, Histogram), each
 * required from its own file. prom-client's index also loads its Pushgateway (node:https, tls,
 * crypto, zlib), Summary, the default process metrics (perf_hooks, v8) and the cluster aggregator,
 * none of which fieldgate uses: requiring the four files instead takes 3.5 MiB less RSS and 0.85 MiB
 * less heap in a fresh process (README, "Measured": mixed load). test/status/lazy-modules.test.ts
 * checks that these are prom-client's own classes and that the endpoint leaves the rest unloaded.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;

export type Registry = Prom.Registry;
export type Counter<T extends string = string> = Prom.Counter<T>;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
