// JSON as the flag page's editors hold it: parsed with the place of every value in the text, so a
// syntax error has a line and column and a server's error path ("targeting.if[0].in[1].bogus")
// can be shown as the part of the text it names. Used by pages/flag.js.

export class JsonSyntaxError extends Error {
  constructor(message, offset, text) {
    const {line, column} = lineColumn(text, offset);
    super(`${message} at line ${line}, column ${column}`);
    this.reason = message;
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

/** Line and column (both from 1) of a character offset. */
export function lineColumn(text, offset) {
  let line = 1, start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') { line++; start = i + 1; }
  }
  return {line, column: offset - start + 1};
}

/**
 * Parses strict JSON (RFC 8259, duplicate keys refused as the server refuses them) into
 * {value, node}: node is the tree of where each value is, {start, end, kind, members | items}
 * with members a Map of key -> {keyStart, node}.
 */
export function parseJson(text) {
  let i = 0;
  const fail = (message, at = i) => { throw new JsonSyntaxError(message, at, text); };
  const space = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const describe = () => i >= text.length ? 'the end of the text' : `"${text[i]}"`;

  function value() {
    space();
    const start = i;
    const c = text[i];
    if (c === '{') return object(start);
    if (c === '[') return array(start);
    if (c === '"') { const s = string(); return {value: s, node: {start, end: i, kind: 'string'}}; }
    if (c === '-' || (c >= '0' && c <= '9')) return number(start);
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return {value: v, node: {start, end: i, kind: 'literal'}}; }
    }
    return fail(`unexpected ${describe()}, expected a value`);
  }

  function object(start) {
    i++;
    const out = {};
    const members = new Map();
    space();
    if (text[i] === '}') { i++; return {value: out, node: {start, end: i, kind: 'object', members}}; }
    for (;;) {
      space();
      if (text[i] !== '"') fail(`unexpected ${describe()}, expected a member name in double quotes`);
      const keyStart = i;
      const key = string();
      if (members.has(key)) fail(`duplicate key "${key}"`, keyStart);
      space();
      if (text[i] !== ':') fail(`unexpected ${describe()}, expected ":"`);
      i++;
      const member = value();
      Object.defineProperty(out, key, {value: member.value, enumerable: true, writable: true, configurable: true});
      members.set(key, {keyStart, node: member.node});
      space();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return {value: out, node: {start, end: i, kind: 'object', members}}; }
      fail(`unexpected ${describe()}, expected "," or "}"`);
    }
  }

  function array(start) {
    i++;
    const out = [];
    const items = [];
    space();
    if (text[i] === ']') { i++; return {value: out, node: {start, end: i, kind: 'array', items}}; }
    for (;;) {
      const item = value();
      out.push(item.value);
      items.push(item.node);
      space();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return {value: out, node: {start, end: i, kind: 'array', items}}; }
      fail(`unexpected ${describe()}, expected "," or "]"`);
    }
  }

  function string() {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c < ' ') fail('control character in a string (write it as an escape such as \\n)');
      if (c === '\\') {
        const e = text[i + 1];
        const simple = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'};
        if (e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('invalid escape in a string');
      }
      out += c;
      i++;
    }
  }

  function number(start) {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) fail('invalid number');
    i += m[0].length;
    return {value: Number(m[0]), node: {start, end: i, kind: 'number'}};
  }

  const result = value();
  space();
  if (i < text.length) fail(`unexpected ${describe()} after the JSON value`);
  return result;
}

/**
 * The segments of a path as the server writes them: members after dots, array indexes in
 * brackets, other keys as quoted strings in brackets: targeting.if[0]["!"][0] ->
 * ['targeting', 'if', 0, '!', 0].
 */
export function pathSegments(path) {
  const out = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') { i++; continue; }
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        let j = i + 2, key = '';
        while (j < path.length && path[j] !== '"') {
          if (path[j] === '\\' && j + 1 < path.length) { key += path[j + 1]; j += 2; } else { key += path[j++]; }
        }
        out.push(key);
        i = path.indexOf(']', j) + 1 || path.length;
      } else {
        const close = path.indexOf(']', i);
        const index = Number(path.slice(i + 1, close < 0 ? path.length : close));
        out.push(Number.isInteger(index) ? index : path.slice(i + 1, close));
        i = close < 0 ? path.length : close + 1;
      }
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

/**
 * The text range {start, end, exact} a path names in a parsed tree: a member from its name to
 * the end of its value; where the path goes further than the text (into a $ref'd segment, say),
 * the deepest part found, with exact false.
 */
export function rangeOf(node, segments) {
  let range = {start: node.start, end: node.end};
  let current = node;
  for (const segment of segments) {
    if (current.kind === 'object' && typeof segment === 'string' && current.members.has(segment)) {
      const member = current.members.get(segment);
      range = {start: member.keyStart, end: member.node.end};
      current = member.node;
    } else if (current.kind === 'array' && typeof segment === 'number' && segment < current.items.length) {
      current = current.items[segment];
      range = {start: current.start, end: current.end};
    } else {
      return {...range, exact: false};
    }
  }
  return {...range, exact: true};
}

/**
 * JSON for people: what fits in `width` characters on one line stays on one line ({"var":
 * "plan"}), the rest is indented by two spaces, so JsonLogic reads as its rules rather than a
 * column of brackets.
 */
export function formatJson(value, width = 72, indent = '') {
  const flat = inline(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map(v => inner + formatJson(v, width, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (!keys.length) return '{}';
  return `{\n${keys.map(k => `${inner}${JSON.stringify(k)}: ${formatJson(value[k], width, inner)}`).join(',\n')}\n${indent}}`;
}

function inline(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  return `{${Object.keys(value).map(k => `${JSON.stringify(k)}: ${inline(value[k])}`).join(', ')}}`;
}
