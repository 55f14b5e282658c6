/**
 * One check per raw value per load: the top-level lists and the bank map are checked while the file
 * is validated, and their checked values are needed again to build the config. The raw value is
 * carried past convict unchanged (same object), so its first result is reused instead of checking
 * every item a second time (measured: a 72-server file loads in about half the time).
 */
export function onceByObject<R>(check: (raw: unknown) => R): (raw: unknown) => R {
  const results = new WeakMap<object, R>();
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return check(raw);
    const known = results.get(raw);
    if (known !== undefined) return known;
    const result = check(raw);
    results.set(raw, result);
    return result;
  };
}
