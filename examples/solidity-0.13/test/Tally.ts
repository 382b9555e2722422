import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import { FhevmType } from 'fhekit/hardhat';
import { ethers, fhevm } from 'hardhat';

async function deployTally() {
  const [alice] = await ethers.getSigners();
  const tally = await (await ethers.getContractFactory('Tally')).deploy();
  const address = await tally.getAddress();
  const input = async (value: number) =>
    fhevm.createEncryptedInput(address, alice.address).add8(value).encrypt();
  return { tally, address, alice, input };
}

describe('a consumer on @fhevm/solidity 0.13', () => {
  it('computes with the host functions the 0.10 host contracts have', async () => {
    const { tally, address, alice, input } = await loadFixture(deployTally);
    const { handles, inputProof } = await input(41);
    await (await tally.add(handles[0], inputProof)).wait();
    expect(await fhevm.userDecryptEuint(FhevmType.euint8, await tally.total(), address, alice)).to.equal(42n);
  });

  for (const [fn, library] of [
    ['sumTwice', 'FHE.sum'],
    ['isAmong', 'FHE.isIn'],
  ] as const) {
    it(`reports ${library} as FHE_HOST_OP_MISSING, not a bare revert`, async () => {
      const { tally, input } = await loadFixture(deployTally);
      const { handles, inputProof } = await input(3);
      const error = await tally[fn](handles[0], inputProof).then(
        () => expect.fail(`${fn} should revert`),
        (e: unknown) => e as { code?: string; message: string; hint?: string },
      );
      expect(error.code).to.equal('FHE_HOST_OP_MISSING');
      expect(error.message).to.contain(library);
      expect(error.hint).to.be.a('string');
    });
  }
});
