import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/signers';
import { loadFixture, time } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import { FhevmType } from 'fhekit/hardhat';
import { ethers, fhevm } from 'hardhat';

async function deployTokenFixture() {
  const [owner, alice, bob, carol] = await ethers.getSigners();
  const token = await (await ethers.getContractFactory('ConfidentialToken')).deploy();
  const address = await token.getAddress();
  await (await token.mint(alice.address, 1_000)).wait();
  return { token, address, owner, alice, bob, carol };
}

async function balanceOf(
  token: Awaited<ReturnType<typeof deployTokenFixture>>['token'],
  address: string,
  account: HardhatEthersSigner,
): Promise<bigint> {
  const handle = await token.confidentialBalanceOf(account.address);
  return fhevm.userDecryptEuint(FhevmType.euint64, handle, address, account);
}

async function encryptAmount(address: string, sender: string, amount: number) {
  return fhevm.createEncryptedInput(address, sender).add64(amount).encrypt();
}

describe('ConfidentialToken on real TFHE', () => {
  it('mints an encrypted balance only its holder can decrypt', async () => {
    const { token, address, alice, bob } = await loadFixture(deployTokenFixture);
    expect(await balanceOf(token, address, alice)).to.equal(1_000n);
    const handle = await token.confidentialBalanceOf(alice.address);
    await expect(fhevm.userDecryptEuint(FhevmType.euint64, handle, address, bob)).to.be.rejectedWith(
      /refused/,
    );
  });

  it('transfers an encrypted amount; both parties decrypt their new balance', async () => {
    const { token, address, alice, bob } = await loadFixture(deployTokenFixture);
    const amount = await encryptAmount(address, alice.address, 300);
    await (
      await token.connect(alice).confidentialTransfer(bob.address, amount.handles[0], amount.inputProof)
    ).wait();
    expect(await balanceOf(token, address, alice)).to.equal(700n);
    expect(await balanceOf(token, address, bob)).to.equal(300n);
  });

  it('a transfer above the balance moves nothing (and does not revert)', async () => {
    const { token, address, alice, bob } = await loadFixture(deployTokenFixture);
    const amount = await encryptAmount(address, alice.address, 5_000);
    await (
      await token.connect(alice).confidentialTransfer(bob.address, amount.handles[0], amount.inputProof)
    ).wait();
    expect(await balanceOf(token, address, alice)).to.equal(1_000n);
    expect(
      await fhevm.debugger.decryptEuint(FhevmType.euint64, await token.confidentialBalanceOf(bob.address)),
    ).to.equal(0n);
  });

  it('an operator transfers for the holder until its permission expires (time.increase)', async () => {
    const { token, address, alice, bob, carol } = await loadFixture(deployTokenFixture);
    const until = (await time.latest()) + 24 * 3600;
    await (await token.connect(alice).setOperator(carol.address, until)).wait();
    const amount = await encryptAmount(address, carol.address, 250);
    await (
      await token
        .connect(carol)
        .confidentialTransferFrom(alice.address, bob.address, amount.handles[0], amount.inputProof)
    ).wait();
    expect(await balanceOf(token, address, bob)).to.equal(250n);

    await time.increase(2 * 24 * 3600);
    const late = await encryptAmount(address, carol.address, 1);
    await expect(
      token
        .connect(carol)
        .confidentialTransferFrom(alice.address, bob.address, late.handles[0], late.inputProof),
    ).to.be.revertedWithCustomError(token, 'UnauthorizedSpender');
    // Decryption still works days later: its validity window follows chain time.
    expect(await balanceOf(token, address, alice)).to.equal(750n);
  });
});
