import { join } from 'node:path';
import { type Abi, type Address, decodeEventLog, type Log } from 'viem';
import { aclEventsAbi, fhevmExecutorEventsAbi } from '../../src/chain/abis.js';
import {
  deployFixture as deployFixtureContract,
  type FixtureName,
  packageRoot,
} from '../../src/chain/fixtures.js';
import type { ChainHandle } from '../../src/chain/start-chain.js';

/** Compiled fixtures are cached in the checkout's git-ignored `.cache/`, so only the first run pays solc. */
export const SOLC_CACHE_DIR = join(packageRoot(), '.cache', 'solc');

export function deployFixture<const TName extends FixtureName>(
  chain: ChainHandle,
  name: TName,
  args: readonly unknown[] = [],
) {
  return deployFixtureContract(chain, name, args, { cacheDir: SOLC_CACHE_DIR });
}

/** Sends `functionName(args)` and returns the successful receipt's logs. */
export async function transact(
  chain: ChainHandle,
  deployed: { address: Address; contract: { abi: Abi } },
  functionName: string,
  args: readonly unknown[],
): Promise<Log[]> {
  const hash = await chain.walletClient.writeContract({
    address: deployed.address,
    abi: deployed.contract.abi,
    functionName,
    args,
  });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
  return receipt.logs;
}

export function executorEvents(chain: ChainHandle, logs: Log[]) {
  return logs
    .filter((log) => log.address.toLowerCase() === chain.addresses.executor.toLowerCase())
    .map((log) => decodeEventLog({ abi: fhevmExecutorEventsAbi, data: log.data, topics: log.topics }));
}

export function aclEvents(chain: ChainHandle, logs: Log[]) {
  return logs
    .filter((log) => log.address.toLowerCase() === chain.addresses.acl.toLowerCase())
    .map((log) => decodeEventLog({ abi: aclEventsAbi, data: log.data, topics: log.topics }));
}
