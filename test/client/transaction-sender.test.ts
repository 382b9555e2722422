import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { createTransactionSender } from '../../src/client/transaction-sender.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { deployFixture } from '../chain/fixture-chain.js';
import { handle } from '../coprocessor/helpers.js';
import type { HandleOps } from '../stack/publish-handle.js';

/** Concurrent transactions from one account on a real anvil with the host contracts. */
describe('createTransactionSender', () => {
  let chain: ChainHandle;
  let ops: HandleOps;

  beforeAll(async () => {
    chain = await startChain();
    ops = (await deployFixture(chain, 'HandleOps')) as HandleOps;
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const sender = () =>
    createTransactionSender({
      chainId: chain.chainId,
      account: chain.deployer,
      publicClient: chain.publicClient,
    });
  const trivial = (value: bigint) => [value, FheType.Uint8] as const;
  const nonceOf = async (hash: Hex) => (await chain.publicClient.getTransaction({ hash })).nonce;

  it('has many calls in flight at once, all mined, with nonces in the order of the calls', async () => {
    const s = sender();
    const first = await chain.publicClient.getTransactionCount({ address: chain.deployer.address });
    const receipts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.send(ops.address, ops.contract.abi, 'trivialEncrypt', trivial(BigInt(i))),
      ),
    );
    expect(receipts.map((r) => r.status)).toEqual(Array(12).fill('success'));
    const nonces = await Promise.all(receipts.map((r) => nonceOf(r.transactionHash)));
    expect(nonces).toEqual(Array.from({ length: 12 }, (_, i) => first + i));
  });

  it('mines a call that reverts as reverted, and the calls after it still go through', async () => {
    const s = sender();
    const [reverted, after] = await Promise.all([
      // Handles this contract was never allowed to use: the ACL refuses them.
      s.send(ops.address, ops.contract.abi, 'binary', [FheOp.Add, handle(1), handle(2), false]),
      s.send(ops.address, ops.contract.abi, 'trivialEncrypt', trivial(7n)),
    ]);
    expect(reverted.status).toBe('reverted');
    expect(after.status).toBe('success');
  });

  it('reads the nonce again after the node refused a send (another client used the account meanwhile)', async () => {
    const s = sender();
    await s.send(ops.address, ops.contract.abi, 'trivialEncrypt', trivial(1n));
    // Two transactions from another client: a nonce counted on locally would now be one behind.
    let elsewhere: Hex | undefined;
    for (const value of [2n, 3n]) {
      elsewhere = await chain.walletClient.writeContract({
        address: ops.address,
        abi: ops.contract.abi,
        functionName: 'trivialEncrypt',
        args: trivial(value),
      } as never);
      await chain.publicClient.waitForTransactionReceipt({ hash: elsewhere });
    }
    await expect(s.send(ops.address, ops.contract.abi, 'trivialEncrypt', trivial(3n))).rejects.toThrow(
      /nonce/i,
    );
    const retried = await s.send(ops.address, ops.contract.abi, 'trivialEncrypt', trivial(4n));
    expect(retried.status).toBe('success');
    expect(await nonceOf(retried.transactionHash)).toBe((await nonceOf(elsewhere!)) + 1);
  });
});
