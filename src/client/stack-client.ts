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
import { readGatewayDomains } from '../chain/gateway-domains.js';
import { HOST_ADDRESSES } from '../chain/host-contracts.js';
import { ANVIL_MNEMONIC } from '../chain/start-chain.js';
import { FhekitError } from '../errors.js';
import type { FheType } from '../fhevm/fhe-types.js';

/** How often the clients poll the chain (new blocks, receipts). */
const CHAIN_POLL_MS = 50;

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
  /**
   * Inputs without a ZK proof, for a stack started with `--inputs direct`: the stack encrypts the
   * plaintexts, stores them and signs their handles for (`user`, `contract`) like a verified proven list.
   * The result goes to `FHE.fromExternal` exactly like the SDK's `encrypt()` output. Needs the stack's
   * API token (`connectToStack({ apiToken })`, from `<state-dir>/api-token`).
   */
  directInput(contract: Address, user: Address, values: readonly DirectValue[]): Promise<EncryptedInput>;
}

export interface DirectValue {
  type: FheType;
  value: bigint;
}

/** What `FHE.fromExternal` takes: the handles and the proof (here: the coprocessor's signatures). */
export interface EncryptedInput {
  handles: Hex[];
  inputProof: Hex;
}

/**
 * Connects like a dApp would, knowing only the RPC and relayer URLs: the gateway ids and addresses the
 * SDK needs are read from the host contracts' EIP-712 domains. `accountIndex` picks an anvil dev account.
 */
export async function connectToStack(options: {
  rpcUrl: string;
  apiUrl: string;
  accountIndex?: number;
  /** The stack's secret (`<state-dir>/api-token`), for `directInput`. */
  apiToken?: string;
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
  // viem polls every 4 s by default; a local chain mines at once (or every --block-time seconds).
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: CHAIN_POLL_MS });
  const walletClient = createWalletClient({ chain, account, transport, pollingInterval: CHAIN_POLL_MS });
  const { gatewayChainId, inputVerification, decryption } = await readGatewayDomains(publicClient);
  const sdk = await createInstance({
    aclContractAddress: HOST_ADDRESSES.acl,
    kmsContractAddress: HOST_ADDRESSES.kmsVerifier,
    inputVerifierContractAddress: HOST_ADDRESSES.inputVerifier,
    verifyingContractAddressDecryption: decryption,
    verifyingContractAddressInputVerification: inputVerification,
    chainId,
    gatewayChainId,
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

  async function directInput(
    contract: Address,
    user: Address,
    values: readonly DirectValue[],
  ): Promise<EncryptedInput> {
    if (options.apiToken === undefined) {
      throw new FhekitError('FHE_API_TOKEN_MISSING', 'Direct inputs need the stack’s API token.', {
        hint: 'Pass `apiToken` to connectToStack: the content of the stack’s <state-dir>/api-token (`fhe smoke-test` reads it from --state-dir).',
      });
    }
    const response = await fetch(`${options.apiUrl}/fhekit/direct-input`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.apiToken}` },
      body: JSON.stringify({
        values: values.map(({ type, value }) => ({ type, value: value.toString() })),
        contractAddress: contract,
        userAddress: user,
        contractChainId: String(chainId),
      }),
    });
    const body = (await response.json()) as EncryptedInput & {
      error?: { code?: string; message?: string; hint?: string };
    };
    if (!response.ok) {
      const error = body.error ?? {};
      throw new FhekitError(
        error.code ?? 'FHE_DIRECT_INPUT_REFUSED',
        `The stack refused the direct input (HTTP ${response.status}): ${error.message ?? 'no reason given'}`,
        { hint: error.hint ?? 'Check that the stack runs with `--inputs direct` and the token is its own.' },
      );
    }
    return { handles: body.handles, inputProof: body.inputProof };
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
    directInput,
  };
}
