/**
 * Server-side check of a stored package against its signed manifest: the file is read once as a
 * stream (flat memory), every entry hashed incrementally, the signature checked with node:crypto
 * and the signing key compared with the station's. The wall uses it when it cannot write the
 * download itself (a plain browser download, no File System Access API).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PackageDigester, judgePackage, type PackageVerdict } from '@wardwall/common';

export const nodeHash = () => {
  const h = createHash('sha256');
  return { update: (b: Uint8Array) => void h.update(b), digest: () => h.digest('hex') };
};

export function verifyEd25519Node(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return Promise.resolve(verify(null, message, key, signature));
}

export async function verifyPackageFile(abs: string, stationFingerprint: string | null): Promise<PackageVerdict> {
  const d = new PackageDigester(nodeHash);
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) d.push(chunk as Buffer);
  return judgePackage(d.finish(), {
    sha256: async (b) => createHash('sha256').update(b).digest('hex'),
    verifyEd25519: verifyEd25519Node,
    stationFingerprint,
  });
}
