/**
 * The public types of `hre.fhevm`, spelled as `@fhevm/hardhat-plugin@0.4.2` (and the `@fhevm/mock-utils`
 * types it re-exports) declares them, so test files written for that plugin type-check unchanged.
 */
import type {
  FhevmInstance,
  HandleContractPair,
  KmsDelegatedUserDecryptEIP712Type,
  KmsUserDecryptEIP712Type,
  PublicDecryptResults,
  RelayerEncryptedInput,
  UserDecryptResults,
} from '@zama-fhe/relayer-sdk/node';
import type { FhevmHandleCoder } from './handle-coder.js';

/** Encrypted value kinds; the numbers are the fhEVM `FheType` codes. */
export enum FhevmType {
  ebool = 0,
  euint4 = 1,
  euint8 = 2,
  euint16 = 3,
  euint32 = 4,
  euint64 = 5,
  euint128 = 6,
  eaddress = 7,
  euint256 = 8,
}

export type FhevmTypeEuint =
  | FhevmType.euint4
  | FhevmType.euint8
  | FhevmType.euint16
  | FhevmType.euint32
  | FhevmType.euint64
  | FhevmType.euint128
  | FhevmType.euint256;

export type FhevmKeypair = { publicKey: string; privateKey: string };

/** A user-decryption validity window: start (seconds since the epoch) and length in days. */
export type FhevmUserDecryptValidity = {
  startTimestamp: bigint | number | string;
  durationDays: bigint | number | string;
};

export type FhevmUserDecryptOptions = {
  instance?: FhevmInstance;
  keypair?: FhevmKeypair;
  validity?: FhevmUserDecryptValidity;
};

export type FhevmPublicDecryptOptions = { instance?: FhevmInstance };

export type FhevmTransactionHCUInfo = {
  transactionHash: `0x${string}`;
  /** Sum of the HCU of every FHE operation in the transaction. */
  globalHCU: number;
  /** HCU of the longest dependency chain (what HCULimit bounds per transaction). */
  maxHCUDepth: number;
  HCUDepthByHandle: Record<`0x${string}`, number>;
};

/** The `CoprocessorConfig` struct a contract stores when it inherits `ZamaEthereumConfig`. */
export type CoprocessorConfig = {
  ACLAddress: `0x${string}`;
  CoprocessorAddress: `0x${string}`;
  KMSVerifierAddress: `0x${string}`;
};

export type CoprocessorEventName =
  | 'TrivialEncrypt'
  | 'FheAdd'
  | 'FheSub'
  | 'FheMul'
  | 'FheDiv'
  | 'FheRem'
  | 'FheBitAnd'
  | 'FheBitOr'
  | 'FheBitXor'
  | 'FheShl'
  | 'FheShr'
  | 'FheRotl'
  | 'FheRotr'
  | 'FheEq'
  | 'FheNe'
  | 'FheGe'
  | 'FheGt'
  | 'FheLe'
  | 'FheLt'
  | 'FheMin'
  | 'FheMax'
  | 'FheRand'
  | 'FheRandBounded'
  | 'FheNot'
  | 'FheNeg'
  | 'Cast'
  | 'FheIfThenElse'
  | 'VerifyInput';

export type CoprocessorEvent = {
  eventName: CoprocessorEventName;
  args: object;
  index: number;
  blockNumber: number;
  transactionHash: string;
  transactionIndex: number;
};

export type FhevmContractName = 'ACL' | 'FHEVMExecutor' | 'InputVerifier' | 'KMSVerifier' | 'HCULimit';

/** An ethers v6 `Signer`, structurally (fhekit does not bundle ethers; the project's copy is used). */
export interface SignerLike {
  getAddress(): Promise<string>;
  signTypedData(
    domain: Record<string, unknown>,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** An ethers `AddressLike`: an address, something with `getAddress()` (a contract, a signer), or a promise of one. */
export type AddressLike = string | Promise<string> | { getAddress(): Promise<string> };

/** An ethers log or receipt log, structurally. */
export interface LogLike {
  address: string;
  topics: readonly string[];
  data: string;
  index: number;
  blockNumber: number;
  transactionHash: string;
  transactionIndex: number;
}

export interface ReceiptLike {
  hash: string;
  logs: readonly LogLike[];
}

export interface HardhatFhevmRuntimeDebugger {
  decryptEbool(handleBytes32: bigint | string): Promise<boolean>;
  decryptEuint(fhevmType: FhevmTypeEuint, handleBytes32: bigint | string): Promise<bigint>;
  decryptEaddress(handleBytes32: bigint | string): Promise<`0x${string}`>;
  /** Predicts binary-op result handles as FHEVMExecutor derives them (`fheAdd(lhs, rhs, scalar)`, …). */
  createHandleCoder(): FhevmHandleCoder;
  /** KMS signatures over (handles, clear values), as `FHE.checkSignatures` verifies them. */
  createDecryptionSignatures(
    handlesBytes32Hex: string[],
    clearTextValues: (bigint | string | boolean)[],
  ): Promise<string[]>;
}

export type FhevmTypeName = keyof typeof FhevmType;

/** `getRelayerMetadata()`: the chain and contracts the relayer API serves (mock-utils' `RelayerMetadata`). */
export type RelayerMetadata = {
  version: string;
  chainId: number;
  gatewayChainId: number;
  ACLAddress: string;
  CoprocessorAddress: string;
  KMSVerifierAddress: string;
  InputVerifierAddress: string;
  /** The account the relayer sends transactions from: fhekit's relayer sends none (zero address). */
  relayerSignerAddress: string;
};

/** `tryParseFhevmError()`: an encrypted input used by another contract or signer than it was made for. */
export type FhevmContractError = {
  type: 'InputVerifier';
  name: 'InvalidSigner';
  txContractAddress?: string;
  txUserAddress?: string;
  inputContractAddress?: string;
  inputUserAddress?: string;
  shortMessage: string;
  longMessage: string;
};

export interface HardhatFhevmRuntimeEnvironment {
  /** True: a local chain with debugging powers (as in the Zama plugin's mock mode), here on real TFHE. */
  readonly isMock: boolean;
  /** Always true: lets a test know it runs on fhekit (real ciphertexts). */
  readonly isFhekit: true;
  readonly debugger: HardhatFhevmRuntimeDebugger;
  initializeCLIApi(): Promise<void>;
  createInstance(): Promise<FhevmInstance>;
  parseCoprocessorEvents(logs: readonly LogLike[] | null | undefined): CoprocessorEvent[];
  /** `[{ interface }, errorName]` for hardhat-chai-matchers' `revertedWithCustomError`. */
  revertedWithCustomErrorArgs(
    contractName: FhevmContractName,
    customErrorName: string,
  ): [{ interface: unknown }, string];
  computeTransactionHCU(transactionReceipt: ReceiptLike): FhevmTransactionHCUInfo;
  assertCoprocessorInitialized(contract: AddressLike, contractName?: string): Promise<void>;
  getCoprocessorConfig(contractAddress: string): Promise<CoprocessorConfig>;
  getRelayerMetadata(): Promise<RelayerMetadata>;
  /** The encrypted type a handle holds, e.g. `'euint32'`. */
  typeof(handleBytes32: string): FhevmTypeName;
  tryParseFhevmError(
    e: unknown,
    options?: { encryptedInput?: RelayerEncryptedInput; out?: 'stderr' | 'stdout' | 'console' },
  ): Promise<FhevmContractError | undefined>;
  createEncryptedInput(contractAddress: string, userAddress: string): RelayerEncryptedInput;
  createEIP712(
    publicKey: string,
    contractAddresses: string[],
    startTimestamp: string | number,
    durationDays: string | number,
  ): KmsUserDecryptEIP712Type;
  createDelegatedUserDecryptEIP712(
    publicKey: string,
    contractAddresses: string[],
    delegatorAddress: string,
    startTimestamp: number,
    durationDays: number,
  ): KmsDelegatedUserDecryptEIP712Type;
  generateKeypair(): FhevmKeypair;
  userDecrypt(
    handles: HandleContractPair[],
    privateKey: string,
    publicKey: string,
    signature: string,
    contractAddresses: string[],
    userAddress: string,
    startTimestamp: string | number,
    durationDays: string | number,
  ): Promise<UserDecryptResults>;
  delegatedUserDecrypt(
    handleContractPairs: HandleContractPair[],
    privateKey: string,
    publicKey: string,
    signature: string,
    contractAddresses: string[],
    delegatorAddress: string,
    delegateAddress: string,
    startTimestamp: number,
    durationDays: number,
  ): Promise<UserDecryptResults>;
  publicDecrypt(handles: (string | Uint8Array)[]): Promise<PublicDecryptResults>;
  userDecryptEbool(
    handleBytes32: string,
    contractAddress: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ): Promise<boolean>;
  userDecryptEuint(
    fhevmType: FhevmTypeEuint,
    handleBytes32: string,
    contractAddress: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ): Promise<bigint>;
  userDecryptEaddress(
    handleBytes32: string,
    contractAddress: AddressLike,
    user: SignerLike,
    options?: FhevmUserDecryptOptions,
  ): Promise<string>;
  publicDecryptEbool(handleBytes32: string, options?: FhevmPublicDecryptOptions): Promise<boolean>;
  publicDecryptEuint(
    fhevmType: FhevmTypeEuint,
    handleBytes32: string,
    options?: FhevmPublicDecryptOptions,
  ): Promise<bigint>;
  publicDecryptEaddress(handleBytes32: string, options?: FhevmPublicDecryptOptions): Promise<string>;
}
