import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type GetContractReturnType,
  getAddress,
  getContract,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { FhekitError } from '../errors.js';

/** EIP-170: anvil refuses larger runtime code unless started with `codeSizeLimit`. */
export const MAX_CONTRACT_CODE_SIZE = 24_576;

export interface DeployClients {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** The chain's EIP-170 limit when raised (anvil `--code-size-limit`). */
  codeSizeLimit?: number;
}

export interface Deployable<TAbi extends Abi> {
  contractName?: string;
  abi: TAbi;
  bytecode: Hex;
  deployedBytecode?: Hex;
}

export interface DeployedContract<TAbi extends Abi> {
  address: Address;
  transactionHash: Hex;
  /** viem contract instance: `read.*`, `write.*`, `simulate.*`, typed when the ABI is a const literal. */
  contract: GetContractReturnType<
    TAbi,
    { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> }
  >;
}

/** Deploys from the wallet client's account and waits for the receipt. */
export async function deployContract<const TAbi extends Abi>(
  clients: DeployClients,
  artifact: Deployable<TAbi>,
  constructorArgs: readonly unknown[] = [],
): Promise<DeployedContract<TAbi>> {
  const { publicClient, walletClient } = clients;
  const name = artifact.contractName ?? 'contract';
  const runtimeSize =
    artifact.deployedBytecode === undefined ? 0 : (artifact.deployedBytecode.length - 2) / 2;
  const limit = clients.codeSizeLimit ?? MAX_CONTRACT_CODE_SIZE;
  if (runtimeSize > limit) {
    throw new FhekitError(
      'FHE_CONTRACT_TOO_LARGE',
      `${name} is ${runtimeSize} bytes, over the ${limit}-byte code size limit.`,
      {
        hint: 'Split the contract, or start the chain with a larger codeSizeLimit (anvil --code-size-limit).',
      },
    );
  }
  const transactionHash = await walletClient.deployContract({
    abi: artifact.abi as Abi,
    bytecode: artifact.bytecode,
    args: constructorArgs as unknown[],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new FhekitError(
      'FHE_DEPLOY_REVERTED',
      `Deploying ${name} reverted (transaction ${transactionHash}).`,
      {
        hint: 'Check the constructor arguments; contracts using ZamaEthereumConfig need chain id 31337.',
      },
    );
  }
  const address = getAddress(receipt.contractAddress);
  const contract = getContract({
    address,
    abi: artifact.abi,
    client: { public: publicClient, wallet: walletClient },
  });
  return { address, transactionHash, contract };
}
