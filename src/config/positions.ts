/**
 * Key path -> line:col, from the YAML syntax tree. A path that does not exist (a missing key) gets
 * the position of the deepest part that does: its parent.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { Path } from './issues.js';

export interface Position {
  readonly line: number;
  readonly col: number;
}

interface Step {
  readonly node: unknown;
  readonly keyOffset: number | undefined;
}

function start(node: unknown): number | undefined {
  if (isScalar(node) && node.value === null && node.source === '') return undefined; // `key:` and nothing
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

function keyMatches(key: unknown, seg: string | number): boolean {
  return String(isScalar(key) ? key.value : key) === String(seg);
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(path: Path, at?: 'key'): Position {
    const offset = this.offset(path, at);
    return offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
  }

  private offset(path: Path, at: 'key' | undefined): number | undefined {
    let node: unknown = this.doc.contents;
    let best = start(node);
    let keyOffset: number | undefined;
    for (const seg of path) {
      const step = this.child(node, seg);
      if (step === undefined) return best;
      node = step.node;
      keyOffset = step.keyOffset;
      best = start(node) ?? keyOffset ?? best;
    }
    return at === 'key' ? (keyOffset ?? best) : best;
  }

  private child(parent: unknown, seg: string | number): Step | undefined {
    const node = isAlias(parent) ? parent.resolve(this.doc) : parent;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyMatches(p.key, seg));
      return pair === undefined ? undefined : { node: pair.value, keyOffset: start(pair.key) };
    }
    if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      return item === undefined ? undefined : { node: item, keyOffset: start(item) };
    }
    return undefined;
  }
}
