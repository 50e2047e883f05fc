/**
 * ESLint rule: a file under a workspace's `src/` never reaches another workspace's `src/` by a
 * relative path (`../../sfu/src/...`); it goes through the package's name and its "exports", so
 * every dependency between packages is declared (issue 14, docs/architecture.md).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The workspace a path belongs to (its first folder under the root), or null outside the root. */
function workspaceOf(path) {
  const rel = relative(ROOT, path);
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0] ?? null;
}

function inSrc(path) {
  const parts = relative(ROOT, path).split(sep);
  return parts.length > 2 && parts[1] === 'src';
}

export default {
  meta: {
    type: 'problem',
    docs: { description: "no relative import from one workspace's src into another workspace's src" },
    messages: { cross: "'{{source}}' reaches into {{target}}/src from {{from}}/src: import it through the package's name and exports" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    if (!inSrc(file)) return {};
    const from = workspaceOf(file);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const ws = workspaceOf(target);
      if (ws && ws !== from && inSrc(target)) context.report({ node: node.source, messageId: 'cross', data: { source, target: ws, from } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
