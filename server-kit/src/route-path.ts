/**
 * A route's path (an exact string or a RegExp with named groups) as OpenAPI path templates:
 * `/^\/api\/cameras\/(?<id>[^/]+)\/still$/` -> `/api/cameras/{id}/still`. An optional
 * alternation `(?:\/download|\/verify)?` gives one template per branch; an unnamed `[^/]+` becomes
 * `{id}` (`{id2}`, ...), a trailing `.+` `{rest}` (one or more segments). Pure; throws on a pattern
 * it cannot express, so a route the description would misstate fails its test instead.
 */

export interface PathParam {
  name: string;
  /** The group's pattern, anchored (a JSON Schema `pattern`). */
  pattern: string;
  /** Matches across "/" (a `.+` tail). */
  multiSegment: boolean;
}

export interface PathTemplates {
  templates: string[];
  params: PathParam[];
}

export function pathTemplates(path: string | RegExp): PathTemplates {
  if (typeof path === 'string') return { templates: [path], params: [] };
  if (path.flags.replace(/[dgsuv]/g, '') !== '') throw new Error(`route path ${String(path)}: flags ${path.flags} not supported`);
  let src = path.source;
  if (!src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$')) throw new Error(`route path ${String(path)}: must be anchored with ^ and $`);
  src = src.slice(1, -1);
  const params: PathParam[] = [];
  const templates = expand(src, params, String(path));
  return { templates: [...new Set(templates)], params };
}

/** The index just past the group opening at `open` (which is "("): skips escapes and classes. */
function closeOf(src: string, open: number, where: string): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(src, i, where);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`route path ${where}: unbalanced group`);
}

function classEnd(src: string, open: number, where: string): number {
  for (let i = open + 1; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === ']') return i;
  }
  throw new Error(`route path ${where}: unclosed character class`);
}

/** Splits at top-level "|". */
function alternatives(src: string, where: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(src, i, where);
    else if (c === '(') i = closeOf(src, i, where);
    else if (c === '|') {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out;
}

const QUANTIFIER = /^(?:[?*+]|\{\d+(?:,\d*)?\})/;

function expand(src: string, params: PathParam[], where: string): string[] {
  let results = [''];
  const append = (options: string[]) => {
    results = results.flatMap((r) => options.map((o) => r + o));
  };
  const param = (name: string, pattern: string, multiSegment: boolean) => {
    if (!params.some((p) => p.name === name)) params.push({ name, pattern: `^(?:${pattern})$`, multiSegment });
    return `{${name}}`;
  };
  const unnamed = (base: string) => {
    let name = base;
    for (let n = 2; params.some((p) => p.name === name); n++) name = `${base}${n}`;
    return name;
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    if (rest.startsWith('(?<') && !rest.startsWith('(?<=') && !rest.startsWith('(?<!')) {
      const end = closeOf(src, i, where);
      const m = /^\(\?<([A-Za-z_]\w*)>/.exec(rest)!;
      const inner = src.slice(i + m[0].length, end);
      if (QUANTIFIER.test(src.slice(end + 1))) throw new Error(`route path ${where}: a quantified named group`);
      append([param(m[1]!, inner, /^\.[+*]$/.test(inner))]);
      i = end + 1;
    } else if (rest.startsWith('(?:')) {
      const end = closeOf(src, i, where);
      const options = alternatives(src.slice(i + 3, end), where).flatMap((alt) => expand(alt, params, where));
      const q = src[end + 1];
      if (q === '?') {
        append(['', ...options]);
        i = end + 2;
      } else if (QUANTIFIER.test(src.slice(end + 1))) {
        throw new Error(`route path ${where}: a repeated group`);
      } else {
        append(options);
        i = end + 1;
      }
    } else if (rest.startsWith('[^/]+')) {
      append([param(unnamed('id'), '[^/]+', false)]);
      i += 5;
    } else if (rest.startsWith('.+') || rest.startsWith('.*')) {
      append([param(unnamed('rest'), rest.slice(0, 2), true)]);
      i += 2;
    } else if (rest[0] === '\\' && rest.length > 1 && /[^\w]/.test(rest[1]!)) {
      if (QUANTIFIER.test(rest.slice(2))) throw new Error(`route path ${where}: a quantified character`);
      append([rest[1]!]);
      i += 2;
    } else if (/^[\w\-~%]/.test(rest) && !QUANTIFIER.test(rest.slice(1))) {
      append([rest[0]!]);
      i += 1;
    } else {
      throw new Error(`route path ${where}: cannot express "${rest.slice(0, 12)}" as an OpenAPI path`);
    }
  }
  return results;
}
