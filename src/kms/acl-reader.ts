import type { Address, Hex, PublicClient } from 'viem';
import { aclAbi } from '../chain/abis.js';

/** The ACL questions decryption policy asks. On-chain answers are authoritative. */
export interface AclReader {
  isAllowedForDecryption(handle: Hex): Promise<boolean>;
  persistAllowed(handle: Hex, account: Address): Promise<boolean>;
  isHandleDelegatedForUserDecryption(
    delegator: Address,
    delegate: Address,
    contractAddress: Address,
    handle: Hex,
  ): Promise<boolean>;
}

/** Reads the host chain's ACL contract through viem (at the latest block). */
export function createOnChainAclReader(client: PublicClient, aclAddress: Address): AclReader {
  const acl = { address: aclAddress, abi: aclAbi } as const;
  return {
    isAllowedForDecryption: (handle) =>
      client.readContract({ ...acl, functionName: 'isAllowedForDecryption', args: [handle] }),
    persistAllowed: (handle, account) =>
      client.readContract({ ...acl, functionName: 'persistAllowed', args: [handle, account] }),
    isHandleDelegatedForUserDecryption: (delegator, delegate, contractAddress, handle) =>
      client.readContract({
        ...acl,
        functionName: 'isHandleDelegatedForUserDecryption',
        args: [delegator, delegate, contractAddress, handle],
      }),
  };
}
