/** `npm run docs:protocol`: writes docs/protocol.md from the signaling protocol's zod schemas. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderProtocolDoc } from './protocol-doc.js';

export const PROTOCOL_DOC = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(PROTOCOL_DOC, renderProtocolDoc());
  process.stdout.write(`wrote ${PROTOCOL_DOC}\n`);
}
