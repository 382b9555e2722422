import { decodeEventLog, getAddress, type Hex } from 'viem';
import { expect } from 'vitest';
import type { DeployedContract } from '../../src/chain/deploy.js';
import type { FIXTURE_ABIS } from '../../src/chain/fixtures.js';
import type { ChainHandle } from '../../src/chain/start-chain.js';

export type HandleOps = DeployedContract<(typeof FIXTURE_ABIS)['HandleOps']>;

/** Calls a HandleOps entry point and returns the handle its `Published` event carries. */
export async function publishHandle(
  chain: ChainHandle,
  ops: HandleOps,
  functionName: string,
  args: readonly unknown[],
): Promise<Hex> {
  const hash = await chain.walletClient.writeContract({
    address: ops.address,
    abi: ops.contract.abi,
    functionName,
    args,
  } as never);
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== getAddress(ops.address)) continue;
    const event = decodeEventLog({ abi: ops.contract.abi, data: log.data, topics: log.topics });
    if (event.eventName === 'Published') return (event.args as { handle: Hex }).handle;
  }
  throw new Error(`${functionName} published no handle`);
}
