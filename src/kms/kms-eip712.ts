import { type Address, type Hex, type LocalAccount, recoverTypedDataAddress } from 'viem';

/** Gateway `Decryption` contract of KMS signatures and user requests (docs/fhevm-protocol.md §EIP-712). */
export interface DecryptionDomain {
  gatewayChainId: bigint;
  decryptionAddress: Address;
}

export const PUBLIC_DECRYPT_VERIFICATION_TYPES = {
  PublicDecryptVerification: [
    { name: 'ctHandles', type: 'bytes32[]' },
    { name: 'decryptedResult', type: 'bytes' },
    { name: 'extraData', type: 'bytes' },
  ],
} as const;

export const USER_DECRYPT_REQUEST_TYPES = {
  UserDecryptRequestVerification: [
    { name: 'publicKey', type: 'bytes' },
    { name: 'contractAddresses', type: 'address[]' },
    { name: 'startTimestamp', type: 'uint256' },
    { name: 'durationDays', type: 'uint256' },
    { name: 'extraData', type: 'bytes' },
  ],
} as const;

export const DELEGATED_USER_DECRYPT_REQUEST_TYPES = {
  DelegatedUserDecryptRequestVerification: [
    { name: 'publicKey', type: 'bytes' },
    { name: 'contractAddresses', type: 'address[]' },
    { name: 'delegatorAddress', type: 'address' },
    { name: 'startTimestamp', type: 'uint256' },
    { name: 'durationDays', type: 'uint256' },
    { name: 'extraData', type: 'bytes' },
  ],
} as const;

/** Host-contract line 0.10: the KMS signs an empty extraData, and the decryption proof has no tail. */
export const PUBLIC_DECRYPT_EXTRA_DATA: Hex = '0x';

export function publicDecryptTypedData(
  domain: DecryptionDomain,
  ctHandles: readonly Hex[],
  decryptedResult: Hex,
) {
  return {
    domain: {
      name: 'Decryption',
      version: '1',
      chainId: domain.gatewayChainId,
      verifyingContract: domain.decryptionAddress,
    },
    types: PUBLIC_DECRYPT_VERIFICATION_TYPES,
    primaryType: 'PublicDecryptVerification',
    message: { ctHandles: [...ctHandles], decryptedResult, extraData: PUBLIC_DECRYPT_EXTRA_DATA },
  } as const;
}

/** What KMSVerifier.verifyDecryptionEIP712KMSSignatures (and so FHE.checkSignatures) checks. */
export function signPublicDecryptVerification(
  signer: LocalAccount,
  domain: DecryptionDomain,
  ctHandles: readonly Hex[],
  decryptedResult: Hex,
): Promise<Hex> {
  return signer.signTypedData(publicDecryptTypedData(domain, ctHandles, decryptedResult));
}

export interface UserDecryptAuthorization {
  publicKey: Hex;
  contractAddresses: readonly Address[];
  startTimestamp: bigint;
  durationDays: bigint;
  extraData: Hex;
  /** Present for a delegated request: the account whose handles the signer (the delegate) may read. */
  delegatorAddress?: Address;
}

/**
 * The address that signed a user-decrypt request. The domain's chain id is the host chain's (the
 * gateway checks it with a custom chain id), unlike the KMS's own signatures.
 */
export function recoverUserDecryptSigner(
  decryptionAddress: Address,
  hostChainId: bigint,
  request: UserDecryptAuthorization,
  signature: Hex,
): Promise<Address> {
  const domain = {
    name: 'Decryption',
    version: '1',
    chainId: hostChainId,
    verifyingContract: decryptionAddress,
  };
  const common = {
    publicKey: request.publicKey,
    contractAddresses: [...request.contractAddresses],
    startTimestamp: request.startTimestamp,
    durationDays: request.durationDays,
    extraData: request.extraData,
  };
  if (request.delegatorAddress === undefined) {
    return recoverTypedDataAddress({
      domain,
      types: USER_DECRYPT_REQUEST_TYPES,
      primaryType: 'UserDecryptRequestVerification',
      message: common,
      signature,
    });
  }
  return recoverTypedDataAddress({
    domain,
    types: DELEGATED_USER_DECRYPT_REQUEST_TYPES,
    primaryType: 'DelegatedUserDecryptRequestVerification',
    message: { ...common, delegatorAddress: request.delegatorAddress },
    signature,
  });
}
