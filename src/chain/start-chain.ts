import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';
import { exitSignal, type Service } from '../runtime/service.js';
import { chainFiles } from '../state-dir.js';
import { type AnvilProcess, LOCAL_CHAIN_ID, startAnvil } from './anvil.js';
import {
  DEFAULT_GATEWAY,
  type GatewayConfig,
  HOST_ADDRESSES,
  type HostContractAddresses,
  type InstallOutcome,
  installHostContracts,
} from './host-contracts.js';
import { loadOrCreateSigners, type StackSigners } from './signers.js';
import { persistStateOnEveryBlock } from './state-persister.js';

/** anvil's default dev mnemonic: its accounts are funded at genesis. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export interface ChainConfig {
  /** Keeps chain state, signer keys and the anvil log across restarts; a temporary directory otherwise. */
  stateDir?: string;
  port?: number;
  /** Defaults to 31337, the chain id `ZamaEthereumConfig` knows. */
  chainId?: number;
  /** Seconds between blocks; omitted = instant mining. */
  blockTimeSeconds?: number;
  /** With instant mining, also an empty block every this many seconds (0 or omitted: off). */
  idleBlockSeconds?: number;
  /** Dev accounts of `ANVIL_MNEMONIC` funded at genesis (anvil's default: 10). */
  accounts?: number;
  codeSizeLimit?: number;
  gateway?: GatewayConfig;
}

/** anvil as a Service: `exited` settles if anvil ends without `stop()` (the cause is in `logFile`). */
export interface ChainHandle extends Service {
  rpcUrl: string;
  wsUrl: string;
  chainId: number;
  chain: Chain;
  /** anvil's process id (to check nothing is left behind). */
  pid: number;
  stateDir: string;
  logFile: string;
  addresses: HostContractAddresses;
  gateway: GatewayConfig;
  signers: StackSigners;
  /** Owner of the host contracts (ACL owner) and default sender of transactions; anvil dev account 0. */
  deployer: HDAccount;
  /** EIP-170 limit anvil enforces, when raised from the default 24 KiB. */
  codeSizeLimit: number | undefined;
  /** Whether the host contracts were installed now or came back with a restored state. */
  hostContracts: InstallOutcome;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  testClient: TestClient<'anvil', Transport, Chain>;
  /** Lines for a terminal: RPC URL, chain ids, contract addresses. */
  describe(): string[];
  /** The chain half of `@zama-fhe/relayer-sdk`'s `createInstance` config (add `relayerUrl`, keys). */
  sdkConfig(): SdkChainConfig;
}

/** Field names as `FhevmInstanceConfig` (relayer-sdk 0.4.x) spells them. */
export interface SdkChainConfig {
  aclContractAddress: Address;
  kmsContractAddress: Address;
  inputVerifierContractAddress: Address;
  verifyingContractAddressDecryption: Address;
  verifyingContractAddressInputVerification: Address;
  chainId: number;
  gatewayChainId: number;
  network: string;
}

/** Starts anvil and makes it an fhEVM host chain: the real host contracts, initialised with this stack's signers. */
export async function startChain(config: ChainConfig = {}): Promise<ChainHandle> {
  const temporary = config.stateDir === undefined;
  // Absolute, so the state file path on anvil's command line identifies it from any working directory.
  const files = chainFiles(config.stateDir ?? mkdtempSync(join(tmpdir(), 'fhekit-chain-')));
  const stateDir = files.dir;
  mkdirSync(stateDir, { recursive: true });
  const signers = loadOrCreateSigners(files.signers);
  const gateway = config.gateway ?? DEFAULT_GATEWAY;

  const removeTemporaryDir = () => {
    if (temporary) rmSync(stateDir, { recursive: true, force: true });
  };
  let anvil: AnvilProcess;
  try {
    anvil = await startAnvil({
      port: config.port,
      chainId: config.chainId ?? LOCAL_CHAIN_ID,
      blockTimeSeconds: config.blockTimeSeconds,
      idleBlockSeconds: config.idleBlockSeconds,
      accounts: config.accounts,
      codeSizeLimit: config.codeSizeLimit,
      stateFile: temporary ? undefined : files.state,
      logFile: files.log,
      afterStop: removeTemporaryDir,
    });
  } catch (error) {
    removeTemporaryDir();
    throw error;
  }

  // With a state dir, every block with transactions is on disk before anvil's next periodic dump.
  const persister = temporary
    ? undefined
    : persistStateOnEveryBlock({ wsUrl: anvil.wsUrl, stateFile: files.state });
  const exit = exitSignal();
  void anvil.exited.then((how) => exit.died(new Error(`anvil exited (${how}); its log: ${files.log}`)));
  /** Stops anvil (dumping its state into the state dir); removes the directory if it was temporary. */
  const stop = async () => {
    exit.stopping();
    await persister?.stop();
    await anvil.stop();
  };
  void anvil.exited.then(() => persister?.stop());
  try {
    const chain = localChain(anvil);
    const transport = http(anvil.rpcUrl);
    const deployer = mnemonicToAccount(ANVIL_MNEMONIC);
    // viem polls receipts every 4 s by default; anvil mines instantly, so poll often.
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 });
    const walletClient = createWalletClient({ chain, transport, account: deployer, pollingInterval: 100 });
    const testClient = createTestClient({ chain, transport, mode: 'anvil' });
    const hostContracts = await installHostContracts({
      publicClient,
      walletClient,
      testClient,
      signers,
      gateway,
    });

    return {
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      chainId: anvil.chainId,
      chain,
      pid: anvil.pid,
      stateDir,
      logFile: anvil.logFile,
      addresses: HOST_ADDRESSES,
      gateway,
      signers,
      deployer,
      codeSizeLimit: config.codeSizeLimit,
      hostContracts,
      publicClient,
      walletClient,
      testClient,
      describe: () => describeChain(anvil, gateway, signers),
      sdkConfig: () => ({
        aclContractAddress: HOST_ADDRESSES.acl,
        kmsContractAddress: HOST_ADDRESSES.kmsVerifier,
        inputVerifierContractAddress: HOST_ADDRESSES.inputVerifier,
        verifyingContractAddressDecryption: gateway.decryption,
        verifyingContractAddressInputVerification: gateway.inputVerification,
        chainId: anvil.chainId,
        gatewayChainId: gateway.chainId,
        network: anvil.rpcUrl,
      }),
      name: 'anvil',
      exited: exit.exited,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function localChain(anvil: AnvilProcess): Chain {
  return defineChain({
    id: anvil.chainId,
    name: 'fhekit local',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl], webSocket: [anvil.wsUrl] } },
  });
}

function describeChain(anvil: AnvilProcess, gateway: GatewayConfig, signers: StackSigners): string[] {
  const a = HOST_ADDRESSES;
  return [
    `RPC            ${anvil.rpcUrl} (ws ${anvil.wsUrl}), chain id ${anvil.chainId}`,
    `ACL            ${a.acl}`,
    `FHEVMExecutor  ${a.executor}`,
    `InputVerifier  ${a.inputVerifier}`,
    `KMSVerifier    ${a.kmsVerifier}`,
    `HCULimit       ${a.hcuLimit}`,
    `Gateway        chain id ${gateway.chainId}, InputVerification ${gateway.inputVerification}, Decryption ${gateway.decryption}`,
    `Signers        coprocessor ${signers.coprocessor.address}, KMS ${signers.kms.address}`,
  ];
}
