/**
 * Saving an evidence package straight to disk while verifying it: the download's chunks go to a
 * file the user picked (File System Access API) and, as they pass, through the streaming package
 * reader that hashes every entry incrementally (SHA-256 from @noble/hashes). Nothing is held: tab
 * memory stays flat whatever the package's size. The manifest's Ed25519 signature is checked with
 * WebCrypto against the station's key fetched from the server.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { PackageDigester, SignatureUnsupported, hexOf, judgePackage, type ExportPackageFormat, type IncrementalHash, type PackageVerdict } from '@wardwall/common';

export const newSha256 = (): IncrementalHash => {
  const h = sha256.create();
  return { update: (b) => void h.update(b), digest: () => hexOf(h.digest()) };
};

/** Ed25519 in WebCrypto (Chromium, Firefox, Safari 17+); SignatureUnsupported when missing. */
export async function verifyEd25519Web(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new SignatureUnsupported();
  let key: CryptoKey;
  try {
    key = await subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    throw new SignatureUnsupported();
  }
  return subtle.verify({ name: 'Ed25519' }, key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
}

export const sha256Web = async (b: Uint8Array): Promise<string> => hexOf(sha256(b));

interface SaveFilePickerWindow {
  showSaveFilePicker?: (opts: { suggestedName: string; types?: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;
}

export function canPickSaveFile(): boolean {
  return typeof (globalThis as unknown as SaveFilePickerWindow).showSaveFilePicker === 'function';
}

/** Asks where to save (must run inside the user's click). Null when the user cancels; throws when the API fails. */
export async function pickSaveFile(suggestedName: string, format: ExportPackageFormat, description: string): Promise<FileSystemFileHandle | null> {
  const w = globalThis as unknown as SaveFilePickerWindow;
  try {
    return await w.showSaveFilePicker!({
      suggestedName,
      types: [{ description, accept: format === 'zip' ? { 'application/zip': ['.zip'] } : { 'application/x-tar': ['.tar'] } }],
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return null;
    throw e;
  }
}

/**
 * Streams `body` into `file` (when given) and through the verifier at once; resolves with the
 * verdict once the last byte is on disk.
 */
export async function saveAndVerify(
  body: ReadableStream<Uint8Array>,
  file: FileSystemFileHandle | null,
  stationFingerprint: string | null,
  onProgress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<{ verdict: PackageVerdict; bytes: number }> {
  const digester = new PackageDigester(newSha256);
  const writable = file ? await file.createWritable() : null;
  let bytes = 0;
  const take = async (chunk: Uint8Array): Promise<void> => {
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    digester.push(chunk);
    if (writable) await writable.write(chunk as Uint8Array<ArrayBuffer>);
    bytes += chunk.length;
    onProgress(bytes);
  };
  // A BYOB reader reads every chunk into the same 1 MB buffer (once the write has taken its copy),
  // so a multi-GB download leaves no garbage buffers behind for the collector; plain reads otherwise.
  let byob: ReadableStreamBYOBReader | null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = null;
  }
  const plain = byob ? null : body.getReader();
  try {
    if (byob) {
      let buf = new ArrayBuffer(1 << 20);
      for (;;) {
        const { done, value } = await byob.read(new Uint8Array(buf));
        if (value && value.length > 0) await take(value);
        if (done) break;
        buf = value!.buffer;
      }
    } else {
      for (;;) {
        const { done, value } = await plain!.read();
        if (done) break;
        await take(value);
      }
    }
    await writable?.close();
  } catch (e) {
    await writable?.abort().catch(() => undefined);
    await (byob ?? plain)!.cancel().catch(() => undefined);
    throw e;
  }
  const verdict = await judgePackage(digester.finish(), { sha256: sha256Web, verifyEd25519: verifyEd25519Web, stationFingerprint });
  return { verdict, bytes };
}
