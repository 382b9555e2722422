import { type Address, concat, type Hex, type LocalAccount, numberToHex, size } from 'viem';

/** Where the coprocessor's input signatures are checked: the (possibly fictitious) gateway's InputVerification. */
export interface InputVerificationDomain {
  gatewayChainId: bigint;
  inputVerificationAddress: Address;
}

export interface CiphertextVerification {
  ctHandles: readonly Hex[];
  userAddress: Address;
  contractAddress: Address;
  contractChainId: bigint;
  extraData: Hex;
}

/** EIP-712 types of InputVerifier's `CiphertextVerification` (docs/fhevm-protocol.md §EIP-712). */
export const CIPHERTEXT_VERIFICATION_TYPES = {
  CiphertextVerification: [
    { name: 'ctHandles', type: 'bytes32[]' },
    { name: 'userAddress', type: 'address' },
    { name: 'contractAddress', type: 'address' },
    { name: 'contractChainId', type: 'uint256' },
    { name: 'extraData', type: 'bytes' },
  ],
} as const;

export function inputVerificationTypedData(domain: InputVerificationDomain, message: CiphertextVerification) {
  return {
    domain: {
      name: 'InputVerification',
      version: '1',
      chainId: domain.gatewayChainId,
      verifyingContract: domain.inputVerificationAddress,
    },
    types: CIPHERTEXT_VERIFICATION_TYPES,
    primaryType: 'CiphertextVerification',
    message: { ...message, ctHandles: [...message.ctHandles] },
  } as const;
}

/** The coprocessor signer's attestation that these handles are the verified values of that input. */
export function signCiphertextVerification(
  signer: LocalAccount,
  domain: InputVerificationDomain,
  message: CiphertextVerification,
): Promise<Hex> {
  return signer.signTypedData(inputVerificationTypedData(domain, message));
}

/**
 * The `inputProof` bytes `FHE.fromExternal` takes (docs/fhevm-protocol.md §Input proofs):
 * uint8 numHandles ‖ uint8 numSigners ‖ handles ‖ 65-byte signatures ‖ extraData.
 * The SDK builds the same bytes from the relayer's answer; fhekit uses this for clients without the SDK.
 */
export function encodeInputProof(handles: readonly Hex[], signatures: readonly Hex[], extraData: Hex): Hex {
  for (const signature of signatures) {
    if (size(signature) !== 65) throw new Error(`Signature ${signature} is not 65 bytes.`);
  }
  return concat([
    numberToHex(handles.length, { size: 1 }),
    numberToHex(signatures.length, { size: 1 }),
    ...handles,
    ...signatures,
    extraData,
  ]);
}
