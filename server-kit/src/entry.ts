import { fileURLToPath } from 'node:url';

/**
 * The package.json "exports" condition of the production build (`npm run build`): with
 * `node --conditions=wardwall-dist`, every workspace package resolves to its dist/*.js; without it
 * (tsx in development and tests) to its src/*.ts.
 */
export const DIST_CONDITION = 'wardwall-dist';

/**
 * The node arguments that run the module `<stem>` beside the caller (`base` = its import.meta.url),
 * the way the caller itself runs: from source through tsx (`--import tsx x.ts`), or from the built
 * output (`--conditions=wardwall-dist x.js`, no devDependency at run time). Pure.
 */
export function siblingEntryArgs(base: string, stem: string): string[] {
  const fromSource = new URL(base).pathname.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${stem}.${fromSource ? 'ts' : 'js'}`, base));
  return fromSource ? ['--import', 'tsx', file] : [`--conditions=${DIST_CONDITION}`, file];
}
