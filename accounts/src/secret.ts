/**
 * The token signing secret: 32 random bytes (hex) in a 0600 file, created at first start. The SFU
 * and the recorder both call `loadOrCreateSecret`; creation is exclusive (write a temp file, then
 * link it into place), so whichever starts first creates it and the other reads the same bytes.
 */
import { loadOrCreateSecretFile } from '@wardwall/common/node';

export { secretFilePath } from '@wardwall/common/node';

export function loadOrCreateSecret(file: string): Buffer {
  return loadOrCreateSecretFile(file, 'auth.secretFile');
}
