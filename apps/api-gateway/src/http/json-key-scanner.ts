/**
 * Finds object keys that JSON.parse would silently accept but we refuse: a key repeated in the
 * same object (JSON.parse keeps the last one, so two readers of one body may disagree on its
 * meaning) and the prototype-poisoning keys `__proto__` and `constructor.prototype`.
 *
 * One pass over the text with an explicit stack, so a 64 KiB body nested 30 000 levels deep
 * costs no call stack. Keys are compared after unescaping (`"a"` and `"\u0061"` are the same).
 * Meant for text that JSON.parse accepted; on anything else it may stop early, but never throws.
 */

export interface KeyProblem {
  kind: 'duplicate' | 'forbidden';
  /** Where the key is, e.g. `user.name`, `items[2].id`, `["odd key"]`. Past 200 characters, only its end, after `…`. */
  path: string;
}

interface ObjectFrame {
  kind: 'object';
  keys: Set<string>;
  /** The key just read; the next value belongs to it. */
  key: string | undefined;
  expectKey: boolean;
  /** The key this object is the value of, when its parent is an object. */
  nameInParent: string | undefined;
}

interface ArrayFrame {
  kind: 'array';
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MAX_PATH_LENGTH = 200;

export function findKeyProblem(json: string): KeyProblem | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < json.length; i += 1) {
    const top = stack[stack.length - 1];
    switch (json.charCodeAt(i)) {
      case QUOTE: {
        const end = closingQuote(json, i);
        if (end < 0) return undefined;
        if (top?.kind === 'object' && top.expectKey) {
          const key = decodeKey(json, i, end);
          if (key === undefined) return undefined;
          const kind = problemWith(key, top);
          if (kind !== undefined) return { kind, path: renderPath(stack, key) };
          top.keys.add(key);
          top.key = key;
          top.expectKey = false;
        }
        i = end;
        break;
      }
      case OPEN_OBJECT:
        stack.push({ kind: 'object', keys: new Set(), key: undefined, expectKey: true, nameInParent: top?.kind === 'object' ? top.key : undefined });
        break;
      case OPEN_ARRAY:
        stack.push({ kind: 'array', index: 0 });
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        stack.pop();
        break;
      case COMMA:
        if (top?.kind === 'array') top.index += 1;
        else if (top?.kind === 'object') top.expectKey = true;
        break;
      default:
        break;
    }
  }
  return undefined;
}

function problemWith(key: string, frame: ObjectFrame): KeyProblem['kind'] | undefined {
  if (key === '__proto__' || (key === 'prototype' && frame.nameInParent === 'constructor')) return 'forbidden';
  return frame.keys.has(key) ? 'duplicate' : undefined;
}

/** Index of the quote that closes the string opening at `start`, or -1. */
function closingQuote(json: string, start: number): number {
  for (let j = start + 1; j < json.length; j += 1) {
    const c = json.charCodeAt(j);
    if (c === BACKSLASH) j += 1;
    else if (c === QUOTE) return j;
  }
  return -1;
}

function decodeKey(json: string, start: number, end: number): string | undefined {
  const raw = json.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(json.slice(start, end + 1)) as string;
  } catch {
    return undefined;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of `key` inside the innermost frame, in JavaScript accessor notation. */
function renderPath(stack: Frame[], key: string): string {
  let path = '';
  stack.forEach((frame, depth) => {
    const segment = depth === stack.length - 1 ? key : frame.kind === 'object' ? frame.key : frame.index;
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (segment !== undefined && IDENTIFIER.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment ?? '')}]`;
  });
  if (path.length <= MAX_PATH_LENGTH) return path;
  // Keep the end, which names the key, starting at a segment boundary.
  const tail = path.slice(-(MAX_PATH_LENGTH - 1));
  const boundary = tail.search(/[.[]/);
  return `…${boundary > 0 ? tail.slice(boundary) : tail}`;
}
