// What the admin pages (audit, health, settings) share.

/**
 * Makes a table's scrolling wrapper (from dom.js table()) reachable with the keyboard, for a
 * table without links or buttons of its own, which at 390 px scrolls sideways.
 */
export function scrollable(wrap, label) {
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', label);
  return wrap;
}
