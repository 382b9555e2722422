import { describe, expect, it } from 'vitest';
import {
  aclAbi,
  fhevmExecutorAbi,
  fhevmExecutorEventsAbi,
  hcuLimitAbi,
  inputVerifierAbi,
  kmsVerifierAbi,
  pauserSetAbi,
} from '../../src/chain/abis.js';
import { compileFixtureContracts, FIXTURE_ABIS, FIXTURE_CONTRACT_NAMES } from '../../src/chain/fixtures.js';
import { loadHostArtifact } from '../../src/chain/host-artifacts.js';
import { pickContract } from '../../src/chain/solidity.js';
import { SOLC_CACHE_DIR } from './fixture-chain.js';

describe('generated ABIs', () => {
  it('match the installed @fhevm/host-contracts artifacts (regenerate with src/chain/codegen if not)', () => {
    expect(aclAbi).toEqual(loadHostArtifact('ACL').abi);
    expect(fhevmExecutorAbi).toEqual(loadHostArtifact('FHEVMExecutor').abi);
    expect(inputVerifierAbi).toEqual(loadHostArtifact('InputVerifier').abi);
    expect(kmsVerifierAbi).toEqual(loadHostArtifact('KMSVerifier').abi);
    expect(hcuLimitAbi).toEqual(loadHostArtifact('HCULimit').abi);
    expect(pauserSetAbi).toEqual(loadHostArtifact('PauserSet').abi);
  });

  it('match the fixture contracts as solc compiles them (regenerate with src/chain/codegen if not)', async () => {
    const compiled = await compileFixtureContracts(SOLC_CACHE_DIR);
    for (const name of FIXTURE_CONTRACT_NAMES)
      expect(FIXTURE_ABIS[name]).toEqual(pickContract(compiled, name).abi);
  });

  it('expose one executor event per operation (docs/fhevm-protocol.md §Host events)', () => {
    const names = fhevmExecutorEventsAbi.map((e) => e.name);
    for (const name of [
      'FheAdd',
      'FheRandBounded',
      'FheIfThenElse',
      'Cast',
      'TrivialEncrypt',
      'VerifyInput',
    ]) {
      expect(names).toContain(name);
    }
  });
});
