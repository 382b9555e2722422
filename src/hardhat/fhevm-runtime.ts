import { createRequire } from 'node:module';
import {
  createInstance,
  type FhevmInstance,
  type HandleContractPair,
  type RelayerEncryptedInput,
  type UserDecryptResults,
} from '@zama-fhe/relayer-sdk/node';
import { type Abi, type Address, getAddress, type Hex, isAddress, toHex, zeroAddress } from 'viem';
import { aclAbi, fhevmExecutorAbi, hcuLimitAbi, inputVerifierAbi, kmsVerifierAbi } from '../chain/abis.js';
import { FhekitError } from '../errors.js';
import { parseHandle } from '../fhevm/handles.js';
import type { FhevmBackend } from './backend.js';
import { parseCoprocessorEvents } from './coprocessor-events.js';
import { createDirectEncryptedInput } from './direct-input.js';
import { explainInputVerifierError, type InputBinding, revertDataOf } from './fhevm-errors.js';
import {
  type AddressLike,
  type CoprocessorConfig,
  type FhevmContractError,
  type FhevmContractName,
  FhevmType,
  type FhevmTypeEuint,
  type FhevmTypeName,
  type FhevmUserDecryptOptions,
  type HardhatFhevmRuntimeDebugger,
  type HardhatFhevmRuntimeEnvironment,
  type LogLike,
  type ReceiptLike,
  type RelayerMetadata,
  type SignerLike,
} from './fhevm-types.js';
import { createHandleCoder } from './handle-coder.js';
import { checkHandle } from './handle-input.js';
import { computeTransactionHcu } from './hcu.js';
import type { Eip1193Provider } from './in-process-backend.js';

const FHEKIT_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** What the Zama plugin defaults a user decryption's validity to. */
const DEFAULT_DURATION_DAYS = 365;

interface Connected {
  backend: FhevmBackend;
  sdk: FhevmInstance;
}

/**
 * `hre.fhevm`: the `@fhevm/hardhat-plugin` 0.4.2 surface in mock mode, backed by real TFHE. Inputs,
 * decryptions and EIP-712 go through the real `@zama-fhe/relayer-sdk` pointed at fhekit's relayer API;
 * decryption helpers first wait (bounded) for the coprocessor to have computed the handle, so a failure
 * is a FhekitError naming it rather than a relayer timeout.
 */
export class FhekitFhevmRuntime implements HardhatFhevmRuntimeEnvironment {
  readonly isMock = true;
  readonly isFhekit = true as const;
  readonly debugger: HardhatFhevmRuntimeDebugger;
  private connecting: Promise<Connected> | undefined;
  private connected: Connected | undefined;
  /** The contract and user each encrypted input was made for, for `tryParseFhevmError`. */
  private readonly inputBindings = new WeakMap<object, InputBinding>();

  constructor(
    private readonly provider: Eip1193Provider,
    private readonly startBackend: () => Promise<FhevmBackend>,
    /** `new ethers.Interface(abi)` of the project's ethers (fhekit does not bundle ethers). */
    private readonly makeInterface: (abi: Abi) => unknown,
  ) {
    this.debugger = {
      decryptEbool: async (handle) => (await this.debugDecrypt(handle, FhevmType.ebool)) !== 0n,
      decryptEuint: (type, handle) => this.debugDecrypt(handle, type),
      decryptEaddress: async (handle) =>
        getAddress(toHex(await this.debugDecrypt(handle, FhevmType.eaddress), { size: 20 })),
      createHandleCoder: () => {
        if (!this.connected) {
          throw new FhekitError(
            'FHE_BACKEND_NOT_STARTED',
            'debugger.createHandleCoder() needs the chain id and ACL of the running backend.',
            {
              hint: 'Call it inside a test (the backend starts before mocha), or after `await fhevm.initializeCLIApi()`.',
            },
          );
        }
        const { backend } = this.connected;
        return createHandleCoder(backend.addresses.acl, BigInt(backend.sdkConfig.chainId));
      },
      createDecryptionSignatures: async (handles, values) => {
        const { backend } = await this.ready();
        return backend.signDecryption(
          handles.map((h) => checkHandle(h)),
          values.map((v) => (typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v))),
        );
      },
    };
  }

  /** Starts the backend and the SDK once; every later call returns the same connection. */
  ready(): Promise<Connected> {
    this.connecting ??= (async () => {
      const backend = await this.startBackend();
      try {
        const sdk = await createInstance({ ...backend.sdkConfig, network: this.provider });
        this.connected = { backend, sdk };
        return this.connected;
      } catch (cause) {
        await backend.stop();
        throw new FhekitError(
          'FHE_SDK_INIT_FAILED',
          `The relayer SDK could not connect to fhekit: ${String(cause)}`,
          {
            hint: 'See the fhekit log; check that @zama-fhe/relayer-sdk is 0.4.x.',
            cause,
          },
        );
      }
    })();
    return this.connecting;
  }

  /** The backend, if it was started (for the end-of-run report and shutdown). */
  get backend(): FhevmBackend | undefined {
    return this.connected?.backend;
  }

  async initializeCLIApi(): Promise<void> {
    await this.ready();
  }

  async createInstance(): Promise<FhevmInstance> {
    return (await this.ready()).sdk;
  }

  private get sdk(): FhevmInstance {
    if (!this.connected) {
      throw new FhekitError('FHE_NOT_READY', 'hre.fhevm is not initialised yet.', {
        hint: 'Inside `hardhat test` it is ready when tests start; in a script, `await hre.fhevm.initializeCLIApi()` first.',
      });
    }
    return this.connected.sdk;
  }

  /** For hardhat-chai-matchers: `expect(tx).to.be.revertedWithCustomError(...fhevm.revertedWithCustomErrorArgs("ACL", "SenderNotAllowed"))`. */
  revertedWithCustomErrorArgs(
    contractName: FhevmContractName,
    customErrorName: string,
  ): [{ interface: unknown }, string] {
    const abi = HOST_ABIS[contractName];
    if (!abi) {
      throw new FhekitError('FHE_UNKNOWN_HOST_CONTRACT', `No host contract named '${contractName}'.`, {
        hint: `Use one of ${Object.keys(HOST_ABIS).join(', ')}.`,
      });
    }
    return [{ interface: this.makeInterface(abi) }, customErrorName];
  }

  async encryptUint(
    fhevmType: FhevmTypeEuint,
    value: number | bigint,
    contractAddress: string,
    userAddress: string,
  ) {
    const input = this.createEncryptedInput(contractAddress, userAddress);
    const add = {
      [FhevmType.euint8]: input.add8,
      [FhevmType.euint16]: input.add16,
      [FhevmType.euint32]: input.add32,
      [FhevmType.euint64]: input.add64,
      [FhevmType.euint128]: input.add128,
      [FhevmType.euint256]: input.add256,
    }[fhevmType as number];
    if (!add) {
      throw new FhekitError('FHE_BAD_TYPE', `encryptUint: ${fhevmType} is not an encryptable euint type.`, {
        hint: 'Use FhevmType.euint8 … euint256.',
      });
    }
    add(value);
    const { handles, inputProof } = await input.encrypt();
    return { externalEuint: handles[0], inputProof };
  }

  async encryptBool(value: boolean, contractAddress: string, userAddress: string) {
    const { handles, inputProof } = await this.createEncryptedInput(contractAddress, userAddress)
      .addBool(value)
      .encrypt();
    return { externalEbool: handles[0], inputProof };
  }

  async encryptAddress(value: string, contractAddress: string, userAddress: string) {
    const { handles, inputProof } = await this.createEncryptedInput(contractAddress, userAddress)
      .addAddress(value)
      .encrypt();
    return { externalEaddress: handles[0], inputProof };
  }

  parseCoprocessorEvents(logs: readonly LogLike[] | null | undefined) {
    return parseCoprocessorEvents(this.executorAddress(), logs);
  }

  computeTransactionHCU(receipt: ReceiptLike) {
    return computeTransactionHcu(receipt.hash as Hex, this.parseCoprocessorEvents(receipt.logs));
  }

  private executorAddress(): Address {
    return this.connected?.backend.addresses.executor ?? '0xe3a9105a3a932253A70F126eb1E3b589C643dD24';
  }

  async getCoprocessorConfig(contractAddress: string): Promise<CoprocessorConfig> {
    // `CoprocessorConfig` of @fhevm/solidity's Impl.sol: ERC-7201 slot "confidential.storage.config", 3 addresses.
    const base = BigInt('0x9e7b61f58c47dc699ac88507c4f5bb9f121c03808c5676a8078fe583e4649700');
    const read = async (offset: bigint) => {
      const word = (await this.provider.request({
        method: 'eth_getStorageAt',
        params: [
          checkAddress(contractAddress, 'contractAddress'),
          toHex(base + offset, { size: 32 }),
          'latest',
        ],
      })) as Hex;
      return getAddress(`0x${word.slice(-40)}`);
    };
    const [ACLAddress, CoprocessorAddress, KMSVerifierAddress] = await Promise.all([
      read(0n),
      read(1n),
      read(2n),
    ]);
    return { ACLAddress, CoprocessorAddress, KMSVerifierAddress };
  }

  async assertCoprocessorInitialized(contract: AddressLike, contractName?: string): Promise<void> {
    const address = await resolveAddress(contract);
    const { backend } = await this.ready();
    const config = await this.getCoprocessorConfig(address);
    const what =
      contractName === undefined ? `Contract at ${address}` : `Contract ${contractName} at ${address}`;
    const zero = '0x0000000000000000000000000000000000000000';
    if ([config.ACLAddress, config.CoprocessorAddress, config.KMSVerifierAddress].includes(zero)) {
      throw new FhekitError('FHE_CONTRACT_NOT_CONFIGURED', `${what} is not initialized for FHE operations.`, {
        hint: 'Make it inherit ZamaEthereumConfig from @fhevm/solidity/config/ZamaConfig.sol, or call FHE.setCoprocessor() in its constructor.',
      });
    }
    const expected = backend.addresses;
    const mismatch = [
      ['ACL', config.ACLAddress, expected.acl],
      ['FHEVMExecutor', config.CoprocessorAddress, expected.executor],
      ['KMSVerifier', config.KMSVerifierAddress, expected.kmsVerifier],
    ].find(([, actual, wanted]) => getAddress(actual as string) !== getAddress(wanted as string));
    if (mismatch) {
      throw new FhekitError(
        'FHE_CONTRACT_WRONG_HOST',
        `${what} uses ${mismatch[0]} ${mismatch[1]}, but this chain's is ${mismatch[2]}.`,
        { hint: 'Use ZamaEthereumConfig unchanged on chain id 31337 (it knows the local addresses).' },
      );
    }
  }

  createEncryptedInput(contractAddress: string, userAddress: string): RelayerEncryptedInput {
    const contract = checkAddress(contractAddress, 'contractAddress');
    const user = checkAddress(userAddress, 'userAddress');
    const sdk = this.sdk; // throws the typed "not started" error before anything else
    const backend = this.connected?.backend;
    const input =
      backend?.acceptDirectInput === undefined
        ? sdk.createEncryptedInput(contract, user)
        : createDirectEncryptedInput(backend.acceptDirectInput, {
            contractAddress: contract,
            userAddress: user,
            chainId: BigInt(backend.sdkConfig.chainId),
          });
    this.inputBindings.set(input, { contractAddress: contract, userAddress: user });
    return input;
  }

  async getRelayerMetadata(): Promise<RelayerMetadata> {
    const { backend } = await this.ready();
    const config = backend.sdkConfig;
    return {
      version: `fhekit ${FHEKIT_VERSION}`,
      chainId: config.chainId,
      gatewayChainId: config.gatewayChainId,
      ACLAddress: config.aclContractAddress,
      CoprocessorAddress: backend.addresses.executor,
      KMSVerifierAddress: config.kmsContractAddress,
      InputVerifierAddress: config.inputVerifierContractAddress,
      relayerSignerAddress: zeroAddress,
    };
  }

  typeof(handleBytes32: string): FhevmTypeName {
    const { type } = parseHandle(checkHandle(handleBytes32));
    const name = FhevmType[type] as FhevmTypeName | undefined;
    if (name === undefined) {
      throw new FhekitError(
        'FHE_HANDLE_TYPE_UNKNOWN',
        `Handle ${handleBytes32} holds type ${type}, which hre.fhevm has no name for.`,
        {
          hint: 'Pass a handle of an ebool, euintN or eaddress value.',
        },
      );
    }
    return name;
  }

  async tryParseFhevmError(
    e: unknown,
    options?: { encryptedInput?: RelayerEncryptedInput; out?: 'stderr' | 'stdout' | 'console' },
  ): Promise<FhevmContractError | undefined> {
    const revert = revertDataOf(e);
    if (!revert) return undefined;
    const tx = revert.txHash
      ? ((await this.provider.request({ method: 'eth_getTransactionByHash', params: [revert.txHash] })) as {
          from?: Address;
          to?: Address;
        } | null)
      : null;
    const input = options?.encryptedInput && this.inputBindings.get(options.encryptedInput);
    const error = explainInputVerifierError(revert.data, tx ?? undefined, input);
    if (error && options?.out) {
      const text = `InvalidSigner error\n${error.longMessage}`;
      if (options.out === 'stdout') process.stdout.write(`${text}\n`);
      else if (options.out === 'stderr') process.stderr.write(`${text}\n`);
      else console.log(text);
    }
    return error;
  }

  createEIP712(
    publicKey: string,
    contractAddresses: string[],
    startTimestamp: string | number,
    durationDays: string | number,
  ) {
    return this.sdk.createEIP712(publicKey, contractAddresses, Number(startTimestamp), Number(durationDays));
  }

  createDelegatedUserDecryptEIP712(
    publicKey: string,
    contractAddresses: string[],
    delegatorAddress: string,
    startTimestamp: number,
    durationDays: number,
  ) {
    return this.sdk.createDelegatedUserDecryptEIP712(
      publicKey,
      contractAddresses,
      delegatorAddress,
      startTimestamp,
      durationDays,
    );
  }

  generateKeypair() {
    return this.sdk.generateKeypair();
  }

  async userDecrypt(
    handles: HandleContractPair[],
    privateKey: string,
    publicKey: string,
    signature: string,
    contractAddresses: string[],
    userAddress: string,
    startTimestamp: string | number,
    durationDays: string | number,
  ): Promise<UserDecryptResults> {
    const { backend, sdk } = await this.ready();
    await backend.waitForHandles(handles.map((p) => checkHandle(p.handle)));
    return refusalAsFhekitError(
      handles.map((p) => p.handle),
      () =>
        sdk.userDecrypt(
          handles,
          privateKey,
          publicKey,
          signature,
          contractAddresses,
          userAddress,
          Number(startTimestamp),
          Number(durationDays),
        ),
    );
  }

  async delegatedUserDecrypt(
    handleContractPairs: HandleContractPair[],
    privateKey: string,
    publicKey: string,
    signature: string,
    contractAddresses: string[],
    delegatorAddress: string,
    delegateAddress: string,
    startTimestamp: number,
    durationDays: number,
  ): Promise<UserDecryptResults> {
    const { backend, sdk } = await this.ready();
    await backend.waitForHandles(handleContractPairs.map((p) => checkHandle(p.handle)));
    return refusalAsFhekitError(
      handleContractPairs.map((p) => p.handle),
      () =>
        sdk.delegatedUserDecrypt(
          handleContractPairs,
          privateKey,
          publicKey,
          signature,
          contractAddresses,
          delegatorAddress,
          delegateAddress,
          startTimestamp,
          durationDays,
        ),
    );
  }

  async publicDecrypt(handles: (string | Uint8Array)[]) {
    const { backend, sdk } = await this.ready();
    await backend.waitForHandles(handles.map(checkHandle));
    return refusalAsFhekitError(handles, () => sdk.publicDecrypt(handles));
  }

  async userDecryptEbool(
    handle: string,
    contract: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ) {
    return (await this.userDecryptOne(handle, FhevmType.ebool, contract, user, options)) as boolean;
  }

  async userDecryptEuint(
    fhevmType: FhevmTypeEuint,
    handle: string,
    contract: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ) {
    return BigInt((await this.userDecryptOne(handle, fhevmType, contract, user, options)) as bigint);
  }

  async userDecryptEaddress(
    handle: string,
    contract: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ) {
    return getAddress(
      (await this.userDecryptOne(handle, FhevmType.eaddress, contract, user, options)) as string,
    );
  }

  async publicDecryptEbool(handle: string) {
    return (await this.publicDecryptOne(handle, FhevmType.ebool)) as boolean;
  }

  async publicDecryptEuint(fhevmType: FhevmTypeEuint, handle: string) {
    return BigInt((await this.publicDecryptOne(handle, fhevmType)) as bigint);
  }

  async publicDecryptEaddress(handle: string) {
    return getAddress((await this.publicDecryptOne(handle, FhevmType.eaddress)) as string);
  }

  private async publicDecryptOne(handle: string, type: FhevmType): Promise<unknown> {
    const checked = checkHandle(handle, type);
    const { clearValues } = await this.publicDecrypt([checked]);
    return clearValueOf(clearValues, checked);
  }

  private async userDecryptOne(
    handle: string,
    type: FhevmType,
    contract: AddressLike,
    user: SignerLike,
    options: FhevmUserDecryptOptions | undefined,
  ): Promise<unknown> {
    const checked = checkHandle(handle, type);
    const contractAddress = await resolveAddress(contract);
    const { backend } = await this.ready();
    const sdk = options?.instance ?? this.sdk;
    await backend.waitForHandles([checked]);
    const keypair = options?.keypair ?? sdk.generateKeypair();
    const startTimestamp = Number(options?.validity?.startTimestamp ?? (await this.defaultStartTimestamp()));
    const durationDays = Number(options?.validity?.durationDays ?? DEFAULT_DURATION_DAYS);
    const eip712 = sdk.createEIP712(keypair.publicKey, [contractAddress], startTimestamp, durationDays);
    const signature = await user.signTypedData(
      eip712.domain as unknown as Record<string, unknown>,
      { UserDecryptRequestVerification: [...eip712.types.UserDecryptRequestVerification] },
      eip712.message as unknown as Record<string, unknown>,
    );
    const userAddress = await user.getAddress();
    const results = await refusalAsFhekitError([checked], () =>
      sdk.userDecrypt(
        [{ handle: checked, contractAddress }],
        keypair.privateKey,
        keypair.publicKey,
        signature,
        [contractAddress],
        userAddress,
        startTimestamp,
        durationDays,
      ),
    );
    return clearValueOf(results, checked);
  }

  /**
   * The SDK checks the window against the wall clock, fhekit's KMS against chain time (tests move it
   * with evm_increaseTime): the earlier of the two satisfies both.
   */
  private async defaultStartTimestamp(): Promise<number> {
    const latest = (await this.provider.request({
      method: 'eth_getBlockByNumber',
      params: ['latest', false],
    })) as {
      timestamp: Hex;
    };
    return Math.min(Math.floor(Date.now() / 1000), Number(BigInt(latest.timestamp)));
  }

  private async debugDecrypt(handle: bigint | string, type: FhevmType): Promise<bigint> {
    const { backend } = await this.ready();
    const hex = typeof handle === 'bigint' ? toHex(handle, { size: 32 }) : handle;
    return backend.debugDecrypt(checkHandle(hex, type));
  }
}

const HOST_ABIS: Record<FhevmContractName, Abi> = {
  ACL: aclAbi,
  FHEVMExecutor: fhevmExecutorAbi,
  InputVerifier: inputVerifierAbi,
  KMSVerifier: kmsVerifierAbi,
  HCULimit: hcuLimitAbi,
};

function checkAddress(value: string, what: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new FhekitError('FHE_BAD_ADDRESS', `${what} is not an address: '${value}'.`, {
      hint: 'Pass a 20-byte hex address (e.g. await contract.getAddress()).',
    });
  }
  return getAddress(value);
}

async function resolveAddress(target: AddressLike): Promise<Address> {
  const value =
    typeof target === 'string' ? target : 'getAddress' in target ? await target.getAddress() : await target;
  return checkAddress(value, 'contract address');
}

function clearValueOf(results: Record<string, unknown>, handle: Hex): unknown {
  const key = Object.keys(results).find((k) => k.toLowerCase() === handle);
  if (key === undefined) {
    throw new FhekitError(
      'FHE_DECRYPTION_MISSING',
      `The decryption answer has no value for handle ${handle}.`,
      {
        hint: 'This is a fhekit bug; please report it with the fhekit log.',
      },
    );
  }
  return results[key];
}

/** A relayer refusal (ACL, validity, signature) reported by the SDK, as a FhekitError naming the handles. */
async function refusalAsFhekitError<T>(
  handles: readonly (string | Uint8Array)[],
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof FhekitError) throw cause;
    const names = handles.map((h) => (typeof h === 'string' ? h : toHex(h))).join(', ');
    throw new FhekitError(
      'FHE_DECRYPTION_REFUSED',
      `Decryption of ${names} was refused: ${messageOf(cause)}`,
      {
        hint: 'The signer (and the contract) must be allowed on the handle: FHE.allow(handle, account) / FHE.allowThis(handle), or FHE.makePubliclyDecryptable for public decryption.',
        cause,
      },
    );
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { details?: unknown }).details;
  return details === undefined ? error.message : `${error.message} (${JSON.stringify(details)})`;
}
