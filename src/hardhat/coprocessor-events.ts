import { type Address, decodeEventLog, type Hex, isAddressEqual } from 'viem';
import { fhevmExecutorEventsAbi } from '../chain/abis.js';
import type { CoprocessorEvent, CoprocessorEventName, LogLike } from './fhevm-types.js';

/** The FHEVMExecutor events among `logs` (other contracts' logs and non-FHE executor events skipped). */
export function parseCoprocessorEvents(
  executor: Address,
  logs: readonly LogLike[] | null | undefined,
): CoprocessorEvent[] {
  const events: CoprocessorEvent[] = [];
  for (const log of logs ?? []) {
    if (!isAddressEqual(log.address as Address, executor)) continue;
    let decoded: { eventName: string; args: unknown };
    try {
      decoded = decodeEventLog({
        abi: fhevmExecutorEventsAbi,
        topics: log.topics as [Hex, ...Hex[]],
        data: log.data as Hex,
      });
    } catch {
      continue;
    }
    if (decoded.eventName === 'Initialized' || decoded.eventName === 'Upgraded') continue;
    events.push({
      eventName: decoded.eventName as CoprocessorEventName,
      args: decoded.args as object,
      index: log.index,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
    });
  }
  return events;
}
