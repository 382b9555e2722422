// Runs inside `hardhat test` (see ../../plugin.test.ts): hre.fhevm against real TFHE on the in-process chain.
const assert = require('node:assert/strict');
const hre = require('hardhat');

const { ethers, fhevm } = hre;
const EUINT8 = 2;

async function storeValue(vault, signer, clear) {
  const address = await vault.getAddress();
  const input = await fhevm.createEncryptedInput(address, signer.address).add8(clear).encrypt();
  await (await vault.connect(signer).store(input.handles[0], input.inputProof)).wait();
  return vault.valueFor(signer.address);
}

describe('fhekit/hardhat on the in-process network', () => {
  let vault;
  let alice;
  let bob;

  before(async () => {
    [alice, bob] = await ethers.getSigners();
    vault = await (await ethers.getContractFactory('Vault')).deploy();
    await vault.waitForDeployment();
  });

  it('is mock-compatible and says it is fhekit', async () => {
    assert.equal(fhevm.isMock, true);
    assert.equal(fhevm.isFhekit, true);
    await fhevm.assertCoprocessorInitialized(vault, 'Vault');
  });

  it('encrypts, computes and user-decrypts with real TFHE', async () => {
    const handle = await storeValue(vault, alice, 41);
    assert.equal(await fhevm.userDecryptEuint(EUINT8, handle, await vault.getAddress(), alice), 42n);
    assert.equal(await fhevm.debugger.decryptEuint(EUINT8, handle), 42n);
    assert.equal(await fhevm.publicDecryptEbool(await vault.lastIsBig()), false);
  });

  it('refuses a signer the ACL does not allow, with a typed error naming the handle', async () => {
    const handle = await vault.valueFor(alice.address);
    await assert.rejects(fhevm.userDecryptEuint(EUINT8, handle, await vault.getAddress(), bob), (error) => {
      assert.equal(error.code, 'FHE_DECRYPTION_REFUSED');
      assert.match(error.message, new RegExp(handle.slice(2, 20)));
      return true;
    });
  });

  it('follows evm_revert: work past the snapshot is gone, the new branch is computed', async () => {
    const snapshot = await hre.network.provider.send('evm_snapshot');
    const reverted = await storeValue(vault, alice, 200);
    assert.equal(await fhevm.debugger.decryptEuint(EUINT8, reverted), 201n);
    await hre.network.provider.send('evm_revert', [snapshot]);
    const afterRevert = await storeValue(vault, alice, 7);
    assert.equal(await fhevm.userDecryptEuint(EUINT8, afterRevert, await vault.getAddress(), alice), 8n);
    assert.equal(await fhevm.publicDecryptEbool(await vault.lastIsBig()), false);
  });

  it('checks user-decryption validity against chain time after evm_increaseTime', async () => {
    await hre.network.provider.send('evm_increaseTime', [30 * 24 * 3600]);
    await hre.network.provider.send('evm_mine');
    const handle = await vault.valueFor(alice.address);
    assert.equal(await fhevm.userDecryptEuint(EUINT8, handle, await vault.getAddress(), alice), 8n);
  });

  it('expires a signed user-decryption request by chain time', async () => {
    const handle = await vault.valueFor(alice.address);
    const contract = await vault.getAddress();
    const { publicKey, privateKey } = fhevm.generateKeypair();
    const start = Math.min(
      Math.floor(Date.now() / 1000),
      (await ethers.provider.getBlock('latest')).timestamp,
    );
    // The previous test moved the chain 30 days ahead of the wall clock: 31 days still cover it, 32 do not.
    const eip712 = fhevm.createEIP712(publicKey, [contract], start, 31);
    const signature = await alice.signTypedData(
      eip712.domain,
      { UserDecryptRequestVerification: eip712.types.UserDecryptRequestVerification },
      eip712.message,
    );
    const decrypt = () =>
      fhevm.userDecrypt(
        [{ handle, contractAddress: contract }],
        privateKey,
        publicKey,
        signature,
        [contract],
        alice.address,
        start,
        31,
      );
    assert.equal((await decrypt())[handle], 8n);
    await hre.network.provider.send('evm_increaseTime', [2 * 24 * 3600]);
    await hre.network.provider.send('evm_mine');
    await assert.rejects(decrypt(), (error) => {
      assert.equal(error.code, 'FHE_DECRYPTION_REFUSED');
      return true;
    });
  });

  it('counts HCU from the receipt', async () => {
    const address = await vault.getAddress();
    const input = await fhevm.createEncryptedInput(address, bob.address).add8(3).encrypt();
    const receipt = await (await vault.connect(bob).store(input.handles[0], input.inputProof)).wait();
    const events = fhevm.parseCoprocessorEvents(receipt.logs);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ['VerifyInput', 'TrivialEncrypt', 'FheAdd', 'TrivialEncrypt', 'FheGt'],
    );
    const hcu = fhevm.computeTransactionHCU(receipt);
    assert.ok(hcu.globalHCU > 0 && hcu.maxHCUDepth > 0 && hcu.maxHCUDepth <= hcu.globalHCU);
  });

  it('explains an input used by another signer (tryParseFhevmError), and names handle types', async () => {
    const address = await vault.getAddress();
    const builder = fhevm.createEncryptedInput(address, alice.address);
    const input = await builder.add8(5).encrypt();
    assert.equal(fhevm.typeof(ethers.hexlify(input.handles[0])), 'euint8');
    // An explicit gas limit skips estimation, so the revert comes from a mined transaction.
    const sent = vault.connect(bob).store(input.handles[0], input.inputProof, { gasLimit: 5_000_000 });
    const error = await sent.then(
      () => assert.fail('the transaction should revert'),
      (e) => e,
    );
    const parsed = await fhevm.tryParseFhevmError(error, { encryptedInput: builder });
    assert.equal(parsed?.name, 'InvalidSigner');
    assert.equal(parsed.inputUserAddress, alice.address);
    assert.equal(parsed.txUserAddress, bob.address);
    assert.match(parsed.shortMessage, new RegExp(`made for user ${alice.address}`));
    assert.equal(await fhevm.tryParseFhevmError(new Error('unrelated')), undefined);
  });

  it('describes the relayer it talks to (getRelayerMetadata)', async () => {
    const metadata = await fhevm.getRelayerMetadata();
    assert.equal(metadata.chainId, 31337);
    assert.match(metadata.version, /^fhekit /);
    assert.deepEqual(await fhevm.getCoprocessorConfig(await vault.getAddress()), {
      ACLAddress: metadata.ACLAddress,
      CoprocessorAddress: metadata.CoprocessorAddress,
      KMSVerifierAddress: metadata.KMSVerifierAddress,
    });
  });

  it('serves an impersonated account whose balance a test set', async () => {
    const whale = '0x000000000000000000000000000000000000bEEF';
    await hre.network.provider.send('hardhat_setBalance', [whale, '0xDE0B6B3A7640000']);
    await hre.network.provider.send('hardhat_impersonateAccount', [whale]);
    const signer = await ethers.getImpersonatedSigner(whale);
    const handle = await storeValue(vault, signer, 120);
    assert.equal(await fhevm.debugger.decryptEuint(EUINT8, handle), 121n);
    assert.equal(await fhevm.publicDecryptEbool(await vault.lastIsBig()), true);
    await hre.network.provider.send('hardhat_stopImpersonatingAccount', [whale]);
  });

  it('runs a hardhat-exposed style generated contract ($-prefixed)', async () => {
    const exposed = await (await ethers.getContractFactory('$VaultMath')).deploy();
    const address = await exposed.getAddress();
    await fhevm.assertCoprocessorInitialized(exposed, '$VaultMath');
    const input = await fhevm.createEncryptedInput(address, alice.address).add8(30).encrypt();
    await (await exposed.$_addScalar(input.handles[0], input.inputProof, 12)).wait();
    assert.equal(await fhevm.userDecryptEuint(EUINT8, await exposed.$lastResult(), address, alice), 42n);
    // The handle the executor derived, predicted off chain (FHE.fromExternal keeps the input's handle).
    const scalar = `0x${(12).toString(16).padStart(64, '0')}`;
    const coder = fhevm.debugger.createHandleCoder();
    assert.equal(
      coder.fheAdd(ethers.hexlify(input.handles[0]), scalar, true),
      (await exposed.$lastResult()).toLowerCase(),
    );
    assert.notEqual(
      coder.fheSub(ethers.hexlify(input.handles[0]), scalar, true),
      (await exposed.$lastResult()).toLowerCase(),
    );
  });
});
