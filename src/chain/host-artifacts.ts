import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi, Address, Hex } from 'viem';

/** The host contracts `@fhevm/host-contracts@0.10.0` ships as Hardhat artifacts. */
export const HOST_CONTRACT_NAMES = [
  'ACL',
  'FHEVMExecutor',
  'InputVerifier',
  'KMSVerifier',
  'HCULimit',
  'PauserSet',
] as const;
export type HostContractName = (typeof HOST_CONTRACT_NAMES)[number];

/**
 * Where the contracts must live: their cross-references are compile-time constants in the bytecode
 * (docs/fhevm-protocol.md §Host contracts), and `ZamaEthereumConfig` points chain 31337
 * at the same ACL/FHEVMExecutor/KMSVerifier. `installHostContracts` checks the bytecode agrees.
 */
export const HOST_CONTRACT_ADDRESSES: Record<HostContractName, Address> = {
  ACL: '0x50157CFfD6bBFA2DECe204a89ec419c23ef5755D',
  FHEVMExecutor: '0xe3a9105a3a932253A70F126eb1E3b589C643dD24',
  InputVerifier: '0x36772142b74871f255CbD7A3e89B401d3e45825f',
  KMSVerifier: '0x901F8942346f7AB3a01F6D7613119Bca447Bb030',
  HCULimit: '0x233ff88A48c172d29F675403e6A8e302b0F032D9',
  PauserSet: '0x34e3eD8472e409dbF8FDf933cA996DC75e4Be126',
};

export interface HostArtifact {
  contractName: HostContractName;
  abi: Abi;
  deployedBytecode: Hex;
}

const ARTIFACT_PATHS: Record<HostContractName, string> = {
  ACL: 'ACL.sol/ACL.json',
  FHEVMExecutor: 'FHEVMExecutor.sol/FHEVMExecutor.json',
  InputVerifier: 'InputVerifier.sol/InputVerifier.json',
  KMSVerifier: 'KMSVerifier.sol/KMSVerifier.json',
  HCULimit: 'HCULimit.sol/HCULimit.json',
  PauserSet: 'immutable/PauserSet.sol/PauserSet.json',
};

export function loadHostArtifact(name: HostContractName): HostArtifact {
  const path = createRequire(import.meta.url).resolve(
    `@fhevm/host-contracts/artifacts/contracts/${ARTIFACT_PATHS[name]}`,
  );
  return JSON.parse(readFileSync(path, 'utf8')) as HostArtifact;
}
