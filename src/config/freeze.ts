/**
 * The loaded config is immutable (docs/ARCHITECTURE.md, invariants): every object, array and map is frozen.
 * Object.freeze does not stop Map#set, so each map also gets own set/delete/clear that throw; it
 * stays a plain Map otherwise (same constructor, so equality checks in tests see a Map).
 */

function readOnly(what: string): () => never {
  return () => {
    throw new TypeError(`cannot ${what}: the configuration is read-only`);
  };
}

function freezeMap<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  for (const method of ['set', 'delete', 'clear'] as const) {
    Object.defineProperty(map, method, { value: readOnly(`${method} a configuration map entry`), enumerable: false });
  }
  return Object.freeze(map);
}

/** Freezes `value` deeply, maps included (their keys and values too). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value; // a profile's sync bytes: typed arrays cannot be frozen
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
    return freezeMap(value) as T;
  }
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
