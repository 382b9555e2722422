import { createInstance, type FhevmInstance } from '@zama-fhe/relayer-sdk/node';
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';
import { inputVerifierAbi, kmsVerifierAbi } from '../chain/abis.js';
import { HOST_ADDRESSES } from '../chain/host-contracts.js';
import { ANVIL_MNEMONIC } from '../chain/start-chain.js';
import { FhekitError } from '../errors.js';

/** The SDK returns ebool as boolean, eaddress as a hex string, integers as bigint. */
export function clearValueToBigint(value: unknown): bigint {
  return typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value as bigint | string);
}

/** Signs what `FhevmInstance.createEIP712` returns (its numbers are strings; viem wants bigints). */
export function signUserDecryptRequest(
  account: LocalAccount,
  eip712: ReturnType<FhevmInstance['createEIP712']>,
): Promise<Hex> {
  return account.signTypedData({
    domain: { ...eip712.domain, chainId: BigInt(eip712.domain.chainId) },
    types: { UserDecryptRequestVerification: eip712.types.UserDecryptRequestVerification },
    primaryType: 'UserDecryptRequestVerification',
    message: {
      ...eip712.message,
      contractAddresses: eip712.message.contractAddresses.map((a) => getAddress(a)),
      startTimestamp: BigInt(eip712.message.startTimestamp),
      durationDays: BigInt(eip712.message.durationDays),
    } as never,
  });
}

/** A dApp's view of a running fhekit stack: viem clients, the relayer SDK, and fhekit's user decryption. */
export interface StackClient {
  chainId: number;
  rpcUrl: string;
  apiUrl: string;
  account: HDAccount;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** `@zama-fhe/relayer-sdk` pointed at the stack. */
  sdk: FhevmInstance;
  /**
   * Plaintexts of handles the account may decrypt (ACL) for `contract`: the SDK's own user decryption
   * (EIP-712 request, KMS share signcrypted to a fresh ML-KEM key, verified and opened by the SDK).
   */
  userDecrypt(handles: readonly Hex[], contract: Address): Promise<bigint[]>;
}

/**
 * Connects like a dApp would, knowing only the RPC and relayer URLs: the gateway ids and addresses the
 * SDK needs are read from the host contracts' EIP-712 domains. `accountIndex` picks an anvil dev account.
 */
export async function connectToStack(options: {
  rpcUrl: string;
  apiUrl: string;
  accountIndex?: number;
}): Promise<StackClient> {
  const probe = createPublicClient({ transport: http(options.rpcUrl) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (cause) {
    throw new FhekitError('FHE_STACK_UNREACHABLE', `No chain answers at ${options.rpcUrl}.`, {
      hint: 'Start the stack with `fhe dev up` (or pass the right --rpc-url).',
      cause,
    });
  }
  const chain = defineChain({
    id: chainId,
    name: 'fhekit',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: options.accountIndex ?? 0 });
  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl) });
  const walletClient = createWalletClient({ chain, account, transport: http(options.rpcUrl) });
  const [, , , inputChainId, inputVerification] = await publicClient.readContract({
    address: HOST_ADDRESSES.inputVerifier,
    abi: inputVerifierAbi,
    functionName: 'eip712Domain',
  });
  const [, , , , decryption] = await publicClient.readContract({
    address: HOST_ADDRESSES.kmsVerifier,
    abi: kmsVerifierAbi,
    functionName: 'eip712Domain',
  });
  const sdk = await createInstance({
    aclContractAddress: HOST_ADDRESSES.acl,
    kmsContractAddress: HOST_ADDRESSES.kmsVerifier,
    inputVerifierContractAddress: HOST_ADDRESSES.inputVerifier,
    verifyingContractAddressDecryption: decryption,
    verifyingContractAddressInputVerification: inputVerification,
    chainId,
    gatewayChainId: Number(inputChainId),
    network: options.rpcUrl,
    relayerUrl: options.apiUrl,
  });

  async function userDecrypt(handles: readonly Hex[], contract: Address): Promise<bigint[]> {
    const { publicKey, privateKey } = sdk.generateKeypair();
    const startTimestamp = Math.floor(Date.now() / 1000);
    const eip712 = sdk.createEIP712(publicKey, [contract], startTimestamp, 1);
    const signature = await signUserDecryptRequest(account, eip712);
    const clear = await sdk.userDecrypt(
      handles.map((handle) => ({ handle, contractAddress: contract })),
      privateKey,
      publicKey,
      signature,
      [contract],
      account.address,
      startTimestamp,
      1,
    );
    return handles.map((handle) => clearValueToBigint(clear[handle]));
  }

  return {
    chainId,
    rpcUrl: options.rpcUrl,
    apiUrl: options.apiUrl,
    account,
    publicClient,
    walletClient,
    sdk,
    userDecrypt,
  };
}
