import { createHash } from 'node:crypto';
import { ml_kem_pke_encrypt, ml_kem_pke_pk_to_u8vec, u8vec_to_ml_kem_pke_pk } from 'node-tkms';
import {
  type Address,
  bytesToHex,
  concat,
  type Hex,
  hashTypedData,
  hexToBytes,
  numberToBytes,
  type PrivateKeyAccount,
  sha256,
  stringToBytes,
} from 'viem';
import { FhekitError } from '../errors.js';
import { bitsOf, type FheType } from '../fhevm/fhe-types.js';
import type { DecryptionDomain } from './kms-eip712.js';

/**
 * The user-decryption share a centralized Zama KMS (kms-core 0.12, one party) returns, built so that
 * `@zama-fhe/relayer-sdk`'s TKMS client (`process_user_decryption_resp_from_js`, verify = true) accepts
 * it: plaintexts signcrypted to the user's ML-KEM-512 key and signed by our KMS signer.
 *
 * Layout (kms-core `signcryption.rs`, `user_decryption_wasm.rs`, `compute_user_decrypt_message_hash`;
 * every struct in bincode "legacy" form: u64 LE lengths, fixed-width LE integers):
 * - link = EIP-712 hash of UserDecryptionLinker(publicKey, handles, userAddress) in the Decryption domain;
 * - per value: msg = SigncryptionPayload{ TypedPlaintext{ LE bytes, fheType }, link },
 *   sig = ECDSA-SHA256("USER_DEC" ‖ msg ‖ user ‖ H(user key)) (r‖s, low s),
 *   ciphertext = ML-KEM-512 + AES-256-GCM of msg ‖ sig ‖ H(KMS verification key),
 *   with H = SHAKE256("SIGNCRYP" ‖ bincode(key)) truncated to 32 bytes;
 * - the payload lists them with our verification key and the link, and the response carries the
 *   EIP-712 UserDecryptResponseVerification signature over bincode(payload).
 */

const DSEP_USER_DECRYPTION = stringToBytes('USER_DEC');
const DSEP_SIGNCRYPTION = stringToBytes('SIGNCRYP');
const ML_KEM_512_PK_BYTES = 800;

export interface UserDecryptShare {
  /** bincode(UserDecryptionResponsePayload), hex without 0x. */
  payload: string;
  /** EIP-712 UserDecryptResponseVerification signature, hex without 0x. */
  signature: string;
}

export interface SigncryptionInput {
  signer: PrivateKeyAccount;
  domain: DecryptionDomain;
  userAddress: Address;
  /** The user's key as the SDK sends it: tfhe safe_serialize of an ML-KEM-512 UnifiedPublicEncKey. */
  publicKey: Hex;
  plaintexts: readonly { handle: Hex; type: FheType; value: bigint }[];
}

/**
 * Refuses a `publicKey` that is not one canonical serialized ML-KEM-512 key, so that a bad request is
 * refused before anything is decrypted (signcryption would fail only after).
 */
export function checkUserPublicKey(publicKey: Hex): void {
  const bytes = hexToBytes(publicKey);
  let canonical = false;
  try {
    const key = u8vec_to_ml_kem_pke_pk(bytes);
    const reserialized = ml_kem_pke_pk_to_u8vec(key);
    key.free();
    canonical = reserialized.length === bytes.length && reserialized.every((b, i) => b === bytes[i]);
  } catch {
    // not a key: reported below
  }
  if (!canonical) {
    throw new FhekitError(
      'KMS_BAD_PUBLIC_KEY',
      `publicKey (${bytes.length} bytes) is not a serialized ML-KEM-512 public key.`,
      { hint: 'Send the publicKey of `instance.generateKeypair()`, the one the EIP-712 request signs.' },
    );
  }
}

export async function signcryptUserDecryption(input: SigncryptionInput): Promise<UserDecryptShare> {
  const { signer, domain, userAddress, publicKey, plaintexts } = input;
  const eip712Domain = {
    name: 'Decryption',
    version: '1',
    chainId: domain.gatewayChainId,
    verifyingContract: domain.decryptionAddress,
  } as const;
  const handles = plaintexts.map((p) => p.handle);
  const link = hexToBytes(
    hashTypedData({
      domain: eip712Domain,
      types: {
        UserDecryptionLinker: [
          { name: 'publicKey', type: 'bytes' },
          { name: 'handles', type: 'bytes32[]' },
          { name: 'userAddress', type: 'address' },
        ],
      },
      primaryType: 'UserDecryptionLinker',
      message: { publicKey, handles, userAddress },
    }),
  );

  const userKeyBytes = hexToBytes(publicKey);
  const encryptionKey = u8vec_to_ml_kem_pke_pk(userKeyBytes);
  const userKeyDigest = shake(DSEP_SIGNCRYPTION, bincodeBytes(userKeyBytes.subarray(-ML_KEM_512_PK_BYTES)));
  const verificationKey = bincodeBytes(compressedPublicKey(signer.publicKey));
  const verificationKeyDigest = shake(DSEP_SIGNCRYPTION, verificationKey);

  const signcrypted: Uint8Array[] = [];
  for (const { handle, type, value } of plaintexts) {
    const msg = concat([bincodeBytes(leBytes(value, type)), i32(type), bincodeBytes(link)]);
    const signed = concat([DSEP_USER_DECRYPTION, msg, hexToBytes(userAddress), userKeyDigest]);
    const signature = hexToBytes(await signer.sign({ hash: sha256(signed) })).subarray(0, 64);
    const ciphertext = ml_kem_pke_encrypt(concat([msg, signature, verificationKeyDigest]), encryptionKey);
    signcrypted.push(concat([i32(type), bincodeBytes(ciphertext), bincodeBytes(hexToBytes(handle)), u32(1)]));
  }
  encryptionKey.free();

  const payload = concat([
    bincodeBytes(verificationKey),
    bincodeBytes(link),
    u64(signcrypted.length),
    ...signcrypted,
    u32(1), // party id (ids start at 1)
    u32(0), // degree: a single, centralized party
  ]);
  const signature = await signer.signTypedData({
    domain: eip712Domain,
    types: {
      UserDecryptResponseVerification: [
        { name: 'publicKey', type: 'bytes' },
        { name: 'ctHandles', type: 'bytes32[]' },
        { name: 'userDecryptedShare', type: 'bytes' },
        { name: 'extraData', type: 'bytes' },
      ],
    },
    primaryType: 'UserDecryptResponseVerification',
    message: { publicKey, ctHandles: handles, userDecryptedShare: bytesToHex(payload), extraData: '0x' },
  });
  return { payload: bytesToHex(payload).slice(2), signature: signature.slice(2) };
}

/** Little-endian plaintext bytes, as kms-core's TypedPlaintext holds them (one byte for ebool). */
function leBytes(value: bigint, type: FheType): Uint8Array {
  return numberToBytes(value, { size: Math.ceil(bitsOf(type) / 8) }).reverse();
}

function shake(dsep: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('shake256', { outputLength: 32 }).update(dsep).update(data).digest());
}

/** SEC1 compressed point, as k256's `VerifyingKey::to_sec1_bytes` writes it. */
function compressedPublicKey(uncompressed: Hex): Uint8Array {
  const bytes = hexToBytes(uncompressed);
  return concat([new Uint8Array([bytes[64]! % 2 === 0 ? 2 : 3]), bytes.subarray(1, 33)]);
}

function bincodeBytes(bytes: Uint8Array): Uint8Array {
  return concat([u64(bytes.length), bytes]);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function i32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}
