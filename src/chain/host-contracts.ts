import {
  type Account,
  type Address,
  type Chain,
  encodeAbiParameters,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
  pad,
  type TestClient,
  type Transport,
  toHex,
  type WalletClient,
} from 'viem';
import { FhekitError } from '../errors.js';
import { aclAbi, fhevmExecutorAbi, hcuLimitAbi, inputVerifierAbi, kmsVerifierAbi } from './abis.js';
import { HOST_CONTRACT_ADDRESSES, HOST_CONTRACT_NAMES, loadHostArtifact } from './host-artifacts.js';
import type { StackSigners } from './signers.js';

/**
 * The gateway chain our signers pretend to serve. Only the EIP-712 domains depend on it: the SDK reads
 * them back from InputVerifier/KMSVerifier, and the coprocessor/KMS sign with the same values.
 */
export interface GatewayConfig {
  chainId: number;
  /** Gateway `InputVerification` contract: verifying contract of coprocessor input signatures. */
  inputVerification: Address;
  /** Gateway `Decryption` contract: verifying contract of KMS decryption signatures. */
  decryption: Address;
}

/** The values `@fhevm/hardhat-plugin` uses for its local chain (docs/fhevm-protocol.md §Host contracts). */
export const DEFAULT_GATEWAY: GatewayConfig = {
  chainId: 10901,
  inputVerification: '0x812b06e1CDCE800494b79fFE4f925A504a9A9810',
  decryption: '0x5ffdaAB0373E62E2ea2944776209aEf29E631A64',
};

export interface HostContractAddresses {
  acl: Address;
  executor: Address;
  inputVerifier: Address;
  kmsVerifier: Address;
  hcuLimit: Address;
  pauserSet: Address;
}

export const HOST_ADDRESSES: HostContractAddresses = {
  acl: HOST_CONTRACT_ADDRESSES.ACL,
  executor: HOST_CONTRACT_ADDRESSES.FHEVMExecutor,
  inputVerifier: HOST_CONTRACT_ADDRESSES.InputVerifier,
  kmsVerifier: HOST_CONTRACT_ADDRESSES.KMSVerifier,
  hcuLimit: HOST_CONTRACT_ADDRESSES.HCULimit,
  pauserSet: HOST_CONTRACT_ADDRESSES.PauserSet,
};

export interface InstallHostContractsParams {
  publicClient: PublicClient<Transport, Chain>;
  /** Sends the initialisation transactions; its account becomes the ACL owner (host-contracts admin). */
  walletClient: WalletClient<Transport, Chain, Account>;
  /** anvil, or Hardhat's in-process network (`hardhat_setCode`…). */
  testClient: TestClient<'anvil' | 'hardhat', Transport, Chain>;
  signers: StackSigners;
  gateway: GatewayConfig;
}

export type InstallOutcome = 'installed' | 'already-installed';

/** ERC-7201 namespaced storage slot, as OpenZeppelin's upgradeable contracts compute it. */
function erc7201Slot(namespace: string): Hex {
  const outer = BigInt(keccak256(toHex(namespace))) - 1n;
  return toHex(BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [outer]))) & ~0xffn, { size: 32 });
}

const INITIALIZABLE_SLOT = erc7201Slot('openzeppelin.storage.Initializable');
const OWNABLE_SLOT = erc7201Slot('openzeppelin.storage.Ownable');
const UPGRADEABLE_CONTRACTS = ['ACL', 'FHEVMExecutor', 'InputVerifier', 'KMSVerifier', 'HCULimit'] as const;

/**
 * Puts the real `@fhevm/host-contracts` on an anvil chain the way Zama's hardhat plugin does: runtime
 * bytecode at the addresses baked into it (no proxies), OZ `Initializable` at version 1 as an empty
 * UUPS proxy would leave it, the ACL owner set, then every contract's `initializeFromEmptyProxy`.
 * A chain restored from a state dump already has them; then only the configuration is checked.
 */
export async function installHostContracts(params: InstallHostContractsParams): Promise<InstallOutcome> {
  const { publicClient, walletClient, testClient } = params;
  const artifacts = HOST_CONTRACT_NAMES.map(loadHostArtifact);

  const aclCode = await publicClient.getCode({ address: HOST_ADDRESSES.acl });
  if (aclCode !== undefined && aclCode !== '0x') {
    await verifyHostContracts(params);
    return 'already-installed';
  }

  for (const artifact of artifacts) {
    await testClient.setCode({
      address: HOST_CONTRACT_ADDRESSES[artifact.contractName],
      bytecode: artifact.deployedBytecode,
    });
  }
  for (const name of UPGRADEABLE_CONTRACTS) {
    await testClient.setStorageAt({
      address: HOST_CONTRACT_ADDRESSES[name],
      index: INITIALIZABLE_SLOT,
      value: pad('0x01'),
    });
  }
  const owner = walletClient.account.address;
  await testClient.setStorageAt({ address: HOST_ADDRESSES.acl, index: OWNABLE_SLOT, value: pad(owner) });

  const { signers, gateway } = params;
  // Sent one after another so the nonces are in order; InputVerifier/KMSVerifier need the ACL owner as sender.
  const hashes: Hex[] = [
    await walletClient.writeContract({
      address: HOST_ADDRESSES.acl,
      abi: aclAbi,
      functionName: 'initializeFromEmptyProxy',
    }),
    await walletClient.writeContract({
      address: HOST_ADDRESSES.executor,
      abi: fhevmExecutorAbi,
      functionName: 'initializeFromEmptyProxy',
    }),
    await walletClient.writeContract({
      address: HOST_ADDRESSES.hcuLimit,
      abi: hcuLimitAbi,
      functionName: 'initializeFromEmptyProxy',
    }),
    await walletClient.writeContract({
      address: HOST_ADDRESSES.inputVerifier,
      abi: inputVerifierAbi,
      functionName: 'initializeFromEmptyProxy',
      args: [gateway.inputVerification, BigInt(gateway.chainId), [signers.coprocessor.address], 1n],
    }),
    await walletClient.writeContract({
      address: HOST_ADDRESSES.kmsVerifier,
      abi: kmsVerifierAbi,
      functionName: 'initializeFromEmptyProxy',
      args: [gateway.decryption, BigInt(gateway.chainId), [signers.kms.address], 1n],
    }),
  ];
  for (const hash of hashes) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw new FhekitError(
        'FHE_HOST_INSTALL_FAILED',
        `Host-contract initialisation transaction ${hash} reverted.`,
        {
          hint: 'This is a fhekit bug or an incompatible @fhevm/host-contracts version; please report it.',
        },
      );
    }
  }
  await verifyHostContracts(params);
  return 'installed';
}

/**
 * Reads back what the SDK and the stack rely on: the address graph baked into the bytecode, the ACL
 * owner, the signer sets and the EIP-712 domains. A mismatch means the chain state was made by
 * another stack (other signer keys or gateway settings) or by other contract versions.
 */
export async function verifyHostContracts(params: InstallHostContractsParams): Promise<void> {
  const { publicClient, walletClient, signers, gateway } = params;
  const read = publicClient.readContract;
  const mismatches: string[] = [];
  const expectAddress = (what: string, actual: Address, expected: Address) => {
    if (!isAddressEqual(actual, expected)) mismatches.push(`${what} is ${actual}, expected ${expected}`);
  };

  for (const artifact of HOST_CONTRACT_NAMES.map(loadHostArtifact)) {
    const code = await publicClient.getCode({ address: HOST_CONTRACT_ADDRESSES[artifact.contractName] });
    if (code?.toLowerCase() !== artifact.deployedBytecode.toLowerCase()) {
      mismatches.push(`${artifact.contractName} bytecode differs from @fhevm/host-contracts`);
    }
  }
  if (mismatches.length === 0) {
    const executor = { address: HOST_ADDRESSES.executor, abi: fhevmExecutorAbi } as const;
    const acl = { address: HOST_ADDRESSES.acl, abi: aclAbi } as const;
    const inputVerifier = { address: HOST_ADDRESSES.inputVerifier, abi: inputVerifierAbi } as const;
    const kmsVerifier = { address: HOST_ADDRESSES.kmsVerifier, abi: kmsVerifierAbi } as const;
    const [
      executorAcl,
      executorHcu,
      executorInputVerifier,
      aclExecutor,
      aclPauserSet,
      aclOwner,
      coprocessorSigners,
      inputDomain,
      kmsSigners,
      kmsDomain,
    ] = await Promise.all([
      read({ ...executor, functionName: 'getACLAddress' }),
      read({ ...executor, functionName: 'getHCULimitAddress' }),
      read({ ...executor, functionName: 'getInputVerifierAddress' }),
      read({ ...acl, functionName: 'getFHEVMExecutorAddress' }),
      read({ ...acl, functionName: 'getPauserSetAddress' }),
      read({ ...acl, functionName: 'owner' }),
      read({ ...inputVerifier, functionName: 'getCoprocessorSigners' }),
      read({ ...inputVerifier, functionName: 'eip712Domain' }),
      read({ ...kmsVerifier, functionName: 'getKmsSigners' }),
      read({ ...kmsVerifier, functionName: 'eip712Domain' }),
    ]);
    expectAddress('FHEVMExecutor.getACLAddress()', executorAcl, HOST_ADDRESSES.acl);
    expectAddress('FHEVMExecutor.getHCULimitAddress()', executorHcu, HOST_ADDRESSES.hcuLimit);
    expectAddress(
      'FHEVMExecutor.getInputVerifierAddress()',
      executorInputVerifier,
      HOST_ADDRESSES.inputVerifier,
    );
    expectAddress('ACL.getFHEVMExecutorAddress()', aclExecutor, HOST_ADDRESSES.executor);
    expectAddress('ACL.getPauserSetAddress()', aclPauserSet, HOST_ADDRESSES.pauserSet);
    expectAddress('ACL.owner()', aclOwner, walletClient.account.address);
    expectSigners(
      'InputVerifier coprocessor signers',
      coprocessorSigners,
      [signers.coprocessor.address],
      mismatches,
    );
    expectSigners('KMSVerifier KMS signers', kmsSigners, [signers.kms.address], mismatches);
    expectDomain(
      'InputVerifier',
      inputDomain,
      ['InputVerification', gateway.inputVerification],
      gateway,
      mismatches,
    );
    expectDomain('KMSVerifier', kmsDomain, ['Decryption', gateway.decryption], gateway, mismatches);
  }
  if (mismatches.length > 0) {
    throw new FhekitError(
      'FHE_HOST_CONTRACTS_MISMATCH',
      `The host contracts on this chain are not set up for this stack: ${mismatches.join('; ')}.`,
      {
        hint: 'The chain state belongs to another stack or fhekit version. Delete the state directory (or use another one) to start fresh.',
      },
    );
  }
}

function expectSigners(
  what: string,
  actual: readonly Address[],
  expected: Address[],
  mismatches: string[],
): void {
  const same =
    actual.length === expected.length && actual.every((a, i) => isAddressEqual(a, expected[i] as Address));
  if (!same) mismatches.push(`${what} are [${actual.join(', ')}], expected [${expected.join(', ')}]`);
}

type Eip712DomainResult = readonly [Hex, string, string, bigint, Address, Hex, readonly bigint[]];

function expectDomain(
  contract: string,
  [, name, version, chainId, verifyingContract]: Eip712DomainResult,
  [expectedName, expectedVerifyingContract]: [string, Address],
  gateway: GatewayConfig,
  mismatches: string[],
): void {
  const ok =
    name === expectedName &&
    version === '1' &&
    chainId === BigInt(gateway.chainId) &&
    isAddressEqual(verifyingContract, expectedVerifyingContract);
  if (!ok) {
    mismatches.push(
      `${contract}.eip712Domain() is (${name}, ${version}, ${chainId}, ${verifyingContract}), expected (${expectedName}, 1, ${gateway.chainId}, ${expectedVerifyingContract})`,
    );
  }
}
