/**
 * ESLint rule: a file under a workspace's `src/` never reaches another workspace's `src/` by a
 * relative path (`../../sfu/src/...`); it goes through the package's name and its "exports", so
 * every dependency between packages is declared (issue 14, docs/architecture.md). And no file
 * reaches into another workspace's `test/` or into `testing/` by a relative path: helpers shared by
 * tests, e2e and benches live in the dev-only `@wardwall/testing` package and are imported by name.
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

function inFolder(path, folder) {
  const parts = relative(ROOT, path).split(sep);
  return parts.length > 2 && parts[1] === folder;
}
const inSrc = (path) => inFolder(path, 'src');

export default {
  meta: {
    type: 'problem',
    docs: { description: "no relative import from one workspace's src into another workspace's src" },
    messages: {
      cross: "'{{source}}' reaches into {{target}}/src from {{from}}/src: import it through the package's name and exports",
      helpers: "'{{source}}' reaches into {{target}} by a relative path: shared test helpers are imported from @wardwall/testing/<name>",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = workspaceOf(file);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const ws = workspaceOf(target);
      if (!ws || ws === from) return;
      if (inSrc(file) && inSrc(target)) context.report({ node: node.source, messageId: 'cross', data: { source, target: ws, from } });
      else if (ws === 'testing' || inFolder(target, 'test')) context.report({ node: node.source, messageId: 'helpers', data: { source, target: ws === 'testing' ? 'testing/' : `${ws}/test` } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
