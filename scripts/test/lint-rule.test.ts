/**
 * The project's lint rule (scripts/lint/no-cross-workspace-src.js): a file under a workspace's src/
 * may not reach another workspace's src/ by a relative path; within a workspace, and from tests, it may.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import rule from '../lint/no-cross-workspace-src.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const linter = new Linter({ configType: 'flat' });
const config = [{ files: ['**/*.ts'], languageOptions: { ecmaVersion: 2023 as const, sourceType: 'module' as const }, plugins: { wardwall: { rules: { 'no-cross-workspace-src': rule } } }, rules: { 'wardwall/no-cross-workspace-src': 'error' as const } }];
const problems = (file: string, code: string) => linter.verify(code, config, join(root, file)).map((m) => m.message);

test('a relative import from one workspace src into another is refused, with the way out named', () => {
  const got = problems('recorder/src/access.ts', "import { AuthStore } from '../../sfu/src/auth/auth-store.js';");
  assert.equal(got.length, 1);
  assert.match(got[0]!, /reaches into sfu\/src from recorder\/src: import it through the package's name/);
  assert.equal(problems('client/src/core/x.ts', "export * from '../../../common/src/protocol.js';").length, 1);
  assert.equal(problems('sfu/src/x.ts', "const m = await import('../../endpoint/src/embedded.js');").length, 1);
});

test('imports inside a workspace, by package name, and from tests or scripts pass', () => {
  assert.deepEqual(problems('recorder/src/playback/http.ts', "import { x } from '../store/store.js';"), []);
  assert.deepEqual(problems('recorder/src/playback/http.ts', "import { x } from '@wardwall/accounts/recorder';"), []);
  assert.deepEqual(problems('recorder/test/api.int.test.ts', "import { x } from '@wardwall/testing/system';"), []);
  assert.deepEqual(problems('e2e/wall.e2e.test.ts', "import { x } from '../sfu/src/app.js';"), []);
});
