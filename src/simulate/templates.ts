/**
 * The text a simulated camera recognises and answers (a profile's simulate.request and .reply):
 * `T{value}` matches a line such as `T42` (value "42"); a reply such as `OK,{result},{code}` is filled
 * with each field's simulated value, `{value}` with the trigger's. Pure.
 */
import type { SignalValue } from '../devices/simulator/signal.js';
import { valueText } from './values.js';

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

/** Returns the trigger's value ('' when the template has no {value}), or undefined: not a trigger. */
export type RequestMatcher = (line: string) => string | undefined;

export function compileRequest(template: string | undefined): RequestMatcher {
  if (template === undefined) return () => '';
  let pattern = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    pattern += escape(template.slice(last, m.index)) + (m[1] === 'value' ? '(-?\\d+(?:\\.\\d+)?)' : '.*?');
    last = m.index + m[0].length;
  }
  const re = new RegExp(`^${pattern}${escape(template.slice(last))}$`);
  return (line) => {
    const m = re.exec(line);
    return m === null ? undefined : (m[1] ?? '');
  };
}

export function renderReply(template: string, values: ReadonlyMap<string, SignalValue>, value: string): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'value') return value;
    return values.has(name) ? valueText(values.get(name)) : whole;
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
