import { type Address, concat, hexToBytes, numberToHex } from 'viem';

/**
 * The 92 bytes an input proof is bound to, identical to the SDK's (docs/fhevm-protocol.md §Input proofs):
 * contract(20) ‖ user(20) ‖ ACL(20) ‖ uint256 chainId(32). A proof made for another contract, user,
 * chain or ACL fails verification.
 */
export function inputProofMetadata(
  contract: Address,
  user: Address,
  acl: Address,
  chainId: bigint,
): Uint8Array {
  return hexToBytes(concat([contract, user, acl, numberToHex(chainId, { size: 32 })]));
}
