import type { Address, PublicClient } from 'viem';
import { inputVerifierAbi, kmsVerifierAbi } from './abis.js';
import { HOST_ADDRESSES } from './host-contracts.js';

/**
 * The gateway side of the SDK config, read from the host contracts themselves: their EIP-712 domains
 * name the gateway chain id and the InputVerification / Decryption contracts signatures are made for.
 */
export async function readGatewayDomains(
  client: Pick<PublicClient, 'readContract'>,
): Promise<{ gatewayChainId: number; inputVerification: Address; decryption: Address }> {
  const [, , , gatewayChainId, inputVerification] = await client.readContract({
    address: HOST_ADDRESSES.inputVerifier,
    abi: inputVerifierAbi,
    functionName: 'eip712Domain',
  });
  const [, , , , decryption] = await client.readContract({
    address: HOST_ADDRESSES.kmsVerifier,
    abi: kmsVerifierAbi,
    functionName: 'eip712Domain',
  });
  return { gatewayChainId: Number(gatewayChainId), inputVerification, decryption };
}
