/**
 * Signal generators for simulators: pure apart from random-walk's random source. `next(t)` is
 * called once per tick with the seconds since the simulator started; counter and random-walk step
 * once per call.
 */
import type { SignalConfig } from '../../config/types.js';

export type SignalValue = number | string | boolean;

export interface Signal {
  next(t: number): SignalValue;
}

export function createSignal(config: SignalConfig, random: () => number = Math.random): Signal {
  switch (config.kind) {
    case 'constant':
      return { next: () => config.value };
    case 'sine': {
      const { min, max, period } = config;
      return { next: (t) => min + (max - min) * (0.5 + 0.5 * Math.sin((2 * Math.PI * t * 1000) / period)) };
    }
    case 'ramp': {
      const { min, max, period } = config;
      return { next: (t) => min + ((max - min) * ((t * 1000) % period)) / period };
    }
    case 'square': {
      const { min, max, period } = config;
      return { next: (t) => ((t * 1000) % period < period / 2 ? max : min) };
    }
    case 'counter': {
      const { min, max, step } = config;
      let value = min - step;
      return {
        next: () => {
          value += step;
          if (value > max) value = min;
          return value;
        },
      };
    }
    case 'random-walk': {
      const { min, max, step } = config;
      let value = (min + max) / 2;
      return {
        next: () => {
          value = Math.min(max, Math.max(min, value + (2 * random() - 1) * step));
          return value;
        },
      };
    }
  }
}
