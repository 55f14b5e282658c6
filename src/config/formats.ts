/**
 * The scalar and list formats of the schema, registered with convict. Limits come from the schema
 * node (`min`, `max`, `values`), so one format serves every integer key, every choice, ...
 */
import { checkAllowEntry, checkHost, checkIp, parseEndpoint, parseListen, parseWhole } from './address.js';
import { defineFormat, type Leaf } from './convict-bridge.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { problem, show, type Problem } from './issues.js';

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export function checkName(v: unknown): string | undefined {
  if (typeof v === 'string' && NAME_PATTERN.test(v)) return undefined;
  const quote = typeof v === 'number' ? ` (write it in quotes: "${v}")` : '';
  return `${show(v)} is not a valid name: use letters, digits, _ . - only${quote}`;
}

function range(node: Leaf): string {
  const { min, max } = node;
  if (min !== undefined && max !== undefined) return `in ${min}..${max}`;
  if (min !== undefined) return `of at least ${min}`;
  return max !== undefined ? `of at most ${max}` : '';
}

function checkInt(v: unknown, node: Leaf): string | undefined {
  const inRange = typeof v === 'number' && Number.isInteger(v) &&
    (node.min === undefined || v >= node.min) && (node.max === undefined || v <= node.max);
  return inRange ? undefined : `${show(v)} is not a whole number ${range(node)}`.trimEnd();
}

function checkChoice(v: unknown, node: Leaf): string | undefined {
  const values = node.values ?? [];
  return values.includes(v as string | number) ? undefined : `${show(v)} is not one of ${values.join(', ')}`;
}

function checkDuration(v: unknown, node: Leaf): string | undefined {
  const r = parseDuration(v);
  if (r.error !== undefined) return r.error;
  return node.min !== undefined && r.value < node.min ? `${show(v)} is too short: at least ${node.min} ms` : undefined;
}

function checkSize(v: unknown, node: Leaf): string | undefined {
  const r = parseSize(v);
  if (r.error !== undefined) return r.error;
  if (node.min !== undefined && r.value < node.min) return `${show(v)} is too small: at least ${node.min} bytes`;
  return node.max !== undefined && r.value > node.max ? `${show(v)} is too large: at most ${node.max} bytes` : undefined;
}

function checkFraction(v: unknown): string | undefined {
  return typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `${show(v)} is not a fraction from 0 to 1 (e.g. 0.2)`;
}

function checkPortList(v: unknown): string | Problem[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return `${show(v)} is not a list of ports, e.g. [9601, 9602]`;
  const problems: Problem[] = [];
  v.forEach((port: unknown, j) => {
    if (parseWhole(port, 1, 65535) === undefined || typeof port !== 'number') {
      problems.push(problem([j], `${show(port)} is not a port: use 1..65535`));
    } else if (v.indexOf(port) !== j) {
      problems.push(problem([j], `port ${port} is listed twice: each port is one connection (lane)`));
    }
  });
  return problems;
}

function checkAllow(v: unknown): string | Problem[] | undefined {
  if (!Array.isArray(v)) {
    return `${show(v)} is not a list: write addresses or CIDR blocks in brackets, e.g. [192.168.10.0/24, 127.0.0.1]`;
  }
  if (v.length === 0) return 'is an empty list, which would refuse every client: omit allow to accept everyone';
  return v.flatMap((entry: unknown, j) => {
    const error = checkAllowEntry(entry);
    return error === undefined ? [] : [problem([j], error)];
  });
}

export const TEXT = defineFormat('fg-text', (v) => {
  if (typeof v === 'string' && v.trim() !== '') return undefined;
  return typeof v === 'string' ? 'is empty: write some text' : `${show(v)} is not text (write it in quotes: "${String(v)}")`;
});
export const NAME = defineFormat('fg-name', checkName);
export const INT = defineFormat('fg-int', checkInt);
export const CHOICE = defineFormat('fg-choice', checkChoice);
export const NUMBER = defineFormat('fg-number', (v) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${show(v)} is not a number`);
export const BOOL = defineFormat('fg-bool', (v) =>
  typeof v === 'boolean' ? undefined : `${show(v)} is not true or false`);
export const DURATION = defineFormat('fg-duration', checkDuration);
export const SIZE = defineFormat('fg-size', checkSize);
export const FRACTION = defineFormat('fg-fraction', checkFraction);
export const LISTEN = defineFormat('fg-listen', (v) => parseListen(v).error);
export const ENDPOINT = defineFormat('fg-endpoint', (v) => parseEndpoint(v).error);
export const HOST = defineFormat('fg-host', checkHost);
export const IP = defineFormat('fg-ip', checkIp);
export const ALLOW = defineFormat('fg-allow', checkAllow);
export const PORT_LIST = defineFormat('fg-port-list', checkPortList);
