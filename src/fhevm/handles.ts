import {
  type Address,
  concat,
  type Hex,
  hexToBytes,
  keccak256,
  numberToHex,
  slice,
  stringToBytes,
  stringToHex,
  toHex,
} from 'viem';
import { FhekitError } from '../errors.js';
import { type FheType, isFheType } from './fhe-types.js';

/** Handle bytes: hash[0..21] ‖ index ‖ uint64 chainId ‖ type ‖ version (docs/fhevm-protocol.md §Handles). */
const HANDLE_VERSION = 0;
const COMPUTED_INDEX = 0xff;
const INDEX_BYTE = 21;
const CHAIN_ID_BYTES = [22, 30] as const;
const TYPE_BYTE = 30;
const VERSION_BYTE = 31;
const BLOB_DOMAIN = stringToBytes('ZK-w_rct');
const HANDLE_DOMAIN = stringToHex('ZK-w_hdl');

/** keccak256("ZK-w_rct" ‖ list): identifies the input blob the handles come from. */
export function inputBlobHash(ciphertextWithZkProof: Uint8Array): Hex {
  return keccak256(concat([BLOB_DOMAIN, ciphertextWithZkProof]));
}

/** The handle of value `index` of an input blob, exactly as the coprocessor and the SDK derive it. */
export function inputHandle(
  blobHash: Hex,
  index: number,
  aclAddress: Address,
  chainId: bigint,
  type: FheType,
): Hex {
  const hash = keccak256(
    concat([
      HANDLE_DOMAIN,
      blobHash,
      numberToHex(index, { size: 1 }),
      aclAddress,
      numberToHex(chainId, { size: 32 }),
    ]),
  );
  return concat([
    slice(hash, 0, 21),
    numberToHex(index, { size: 1 }),
    numberToHex(chainId, { size: 8 }),
    numberToHex(type, { size: 1 }),
    numberToHex(HANDLE_VERSION, { size: 1 }),
  ]);
}

/**
 * The result handle of a binary op as FHEVMExecutor derives it on chain: keccak256(op ‖ lhs ‖ rhs ‖
 * scalarByte ‖ acl ‖ uint256 chainId), bytes 21–31 replaced by the computed-handle metadata. Lets a
 * test predict a handle before the transaction (`fhevm.debugger.createHandleCoder()`).
 */
export function binaryOpHandle(
  op: number,
  lhs: Hex,
  rhs: Hex,
  scalar: boolean,
  resultType: FheType,
  aclAddress: Address,
  chainId: bigint,
): Hex {
  const hash = keccak256(
    concat([
      numberToHex(op, { size: 1 }),
      lhs,
      rhs,
      numberToHex(scalar ? 1 : 0, { size: 1 }),
      aclAddress,
      numberToHex(chainId, { size: 32 }),
    ]),
  );
  return concat([
    slice(hash, 0, 21),
    numberToHex(COMPUTED_INDEX, { size: 1 }),
    numberToHex(chainId, { size: 8 }),
    numberToHex(resultType, { size: 1 }),
    numberToHex(HANDLE_VERSION, { size: 1 }),
  ]);
}

export interface ParsedHandle {
  handle: Hex;
  type: FheType;
  chainId: bigint;
  /** Position in its input proof, or null for a computed handle. */
  inputIndex: number | null;
}

/** Reads the metadata bytes of a 32-byte handle; a handle with an unknown type or version is an error. */
export function parseHandle(handle: string): ParsedHandle {
  if (!/^0x[0-9a-fA-F]{64}$/.test(handle)) {
    throw new FhekitError('FHE_HANDLE_MALFORMED', `"${handle}" is not a 32-byte hex handle.`, {
      hint: 'Pass handles as 0x-prefixed 64-hex-digit strings, as the contract returned them.',
    });
  }
  const bytes = hexToBytes(handle as Hex);
  const type = bytes[TYPE_BYTE] ?? -1;
  if (!isFheType(type) || bytes[VERSION_BYTE] !== HANDLE_VERSION) {
    throw new FhekitError(
      'FHE_HANDLE_MALFORMED',
      `Handle ${handle} has type ${type} / version ${bytes[VERSION_BYTE]}.`,
      {
        hint: 'Only handles of ebool, euint8 … euint256 and eaddress (version 0) can be decrypted.',
      },
    );
  }
  return {
    handle: toHex(bytes),
    type,
    chainId: BigInt(toHex(bytes.subarray(...CHAIN_ID_BYTES))),
    inputIndex: bytes[INDEX_BYTE] === COMPUTED_INDEX ? null : (bytes[INDEX_BYTE] ?? null),
  };
}

/**
 * The type byte of a handle the host contracts emitted (already well-formed), without the checks
 * `parseHandle` makes on untrusted input.
 */
export function typeOfHandle(handle: Hex): FheType {
  return hexToBytes(handle)[TYPE_BYTE] as FheType;
}
