// What changed between an audit event's before and after: the flag page's history and the audit
// log both show it.

const isObject = x => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * The fields that differ, by dotted path, with their values before and after (undefined when
 * absent). Objects are walked into (one that appears or goes is walked as if the other side were
 * empty); arrays, scalars and the members `leaf(key)` names are compared whole. `skip` leaves
 * top-level keys out. `same` counts the leaf fields that did not change.
 */
export function changedFields(before, after, {skip = new Set(), leaf = () => false} = {}) {
  const changed = [];
  let same = 0;
  const walk = (a, b, at) => {
    const keys = [...new Set([...Object.keys(a || {}), ...Object.keys(b || {})])].sort();
    for (const k of keys) {
      if (!at && skip.has(k)) continue;
      const path = at ? `${at}.${k}` : k;
      const x = a ? a[k] : undefined;
      const y = b ? b[k] : undefined;
      const walkable = v => isObject(v) || v === undefined;
      if (walkable(x) && walkable(y) && (isObject(x) || isObject(y)) && !leaf(k)) walk(x, y, path);
      else if (JSON.stringify(x) !== JSON.stringify(y)) changed.push({path, before: x, after: y});
      else same++;
    }
  };
  walk(isObject(before) ? before : {}, isObject(after) ? after : {}, '');
  return {changed, same};
}
