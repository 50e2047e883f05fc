/**
 * The config file's JSONC: JSON with `//` and `/* *\/` comments anywhere and trailing commas, read
 * with jsonc-parser. Pure (text in, value out): syntax errors name the line, column and problem;
 * `locateKey` maps a key path (as zod reports it) to the line where that key is written, so a
 * validation error can point into the file.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError, type ParseErrorCode } from 'jsonc-parser';

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class JsoncSyntaxError extends Error {
  constructor(
    readonly position: TextPosition,
    readonly problem: string,
  ) {
    super(`line ${position.line}, column ${position.column}: ${problem}`);
    this.name = 'JsoncSyntaxError';
  }
}

const OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false } as const;

// jsonc-parser names its error codes (CommaExpected, ...); these say the same in words.
const PROBLEMS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a key in double quotes expected',
  ValueExpected: 'a value expected',
  ColonExpected: '":" expected after the key',
  CommaExpected: '"," expected',
  CloseBraceExpected: '"}" expected',
  CloseBracketExpected: '"]" expected',
  EndOfFileExpected: 'nothing may follow the top-level value',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'unknown escape sequence in a string',
  InvalidCharacter: 'a control character inside a string (write it as an escape)',
};

function problemOf(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  return PROBLEMS[name] ?? name;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Parses JSONC text; throws JsoncSyntaxError at the first syntax error. */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, OPTIONS);
  const first = errors[0];
  if (first) throw new JsoncSyntaxError(positionAt(text, first.offset), problemOf(first.error));
  return root ? valueOf(root) : undefined;
}

function valueOf(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (!key || !value) continue;
        // Defined as own data properties, so a key named "__proto__" stays a key (as JSON.parse does).
        Object.defineProperty(out, String(key.value), { value: valueOf(value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(valueOf);
    default:
      return node.value as unknown;
  }
}

/**
 * Where the key at `path` is written: the position of the key itself (or of the array element).
 * A key that is not in the file (a required key left out) gives the nearest enclosing key that is,
 * with `exact: false`. Null when the text does not parse or nothing of the path is in it.
 */
export function locateKey(text: string, path: readonly (string | number)[]): (TextPosition & { exact: boolean }) | null {
  const root = parseTree(text, [], OPTIONS);
  if (!root) return null;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n) as (string | number)[]);
    if (!node) continue;
    // An object member's value: point at its key ("port": ...), the line a reader looks for.
    const at = node.parent?.type === 'property' && node.parent.children?.[0] ? node.parent.children[0] : node;
    return { ...positionAt(text, at.offset), exact: n === path.length };
  }
  return null;
}
