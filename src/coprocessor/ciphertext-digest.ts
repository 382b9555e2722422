import { createHash } from 'node:crypto';
import { FhekitError } from '../errors.js';

/**
 * The integrity digest every store keeps with a ciphertext: sha256(handle ‖ type byte ‖ bytes). Binding
 * the handle and type catches bytes moved to another row as well as bytes changed in place. It guards
 * against damage and hand edits, not against someone who can rewrite the database (they can rewrite
 * the digest too).
 */
export function ciphertextDigest(handle: Uint8Array, type: number, bytes: Uint8Array): Buffer {
  return createHash('sha256').update(handle).update(Uint8Array.of(type)).update(bytes).digest();
}

/** Throws FHE_STORE_CORRUPT unless `digest` is the digest of the row as read. */
export function checkCiphertextDigest(
  row: { handle: Uint8Array; type: number; bytes: Uint8Array; digest: Uint8Array },
  where: string,
): void {
  const expected = ciphertextDigest(row.handle, row.type, row.bytes);
  if (expected.equals(row.digest)) return;
  throw new FhekitError(
    'FHE_STORE_CORRUPT',
    `The stored ciphertext of handle 0x${Buffer.from(row.handle).toString('hex')} fails its integrity check (sha256 mismatch): ${where} was changed outside fhekit or damaged on disk.`,
    {
      hint: `Nothing is decrypted from a damaged ciphertext. Restore ${where} from a backup, or start over from a fresh state directory.`,
    },
  );
}
