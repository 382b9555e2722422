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
import { loadHostArtifact } from '../../src/chain/host-artifacts.js';

describe('host-contract ABIs', () => {
  it('match the installed @fhevm/host-contracts artifacts (regenerate with src/chain/codegen if not)', () => {
    expect(aclAbi).toEqual(loadHostArtifact('ACL').abi);
    expect(fhevmExecutorAbi).toEqual(loadHostArtifact('FHEVMExecutor').abi);
    expect(inputVerifierAbi).toEqual(loadHostArtifact('InputVerifier').abi);
    expect(kmsVerifierAbi).toEqual(loadHostArtifact('KMSVerifier').abi);
    expect(hcuLimitAbi).toEqual(loadHostArtifact('HCULimit').abi);
    expect(pauserSetAbi).toEqual(loadHostArtifact('PauserSet').abi);
  });

  it('expose one executor event per operation (fhevm-spec §3.1)', () => {
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
