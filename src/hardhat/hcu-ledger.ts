import { type Address, type Hex, hexToNumber } from 'viem';
import { parseCoprocessorEvents } from './coprocessor-events.js';
import { computeTransactionHcu } from './hcu.js';
import type { FheRunReport } from './run-report.js';

/** A JSON-RPC receipt as the provider returns it (hex quantities). */
interface RpcReceipt {
  transactionHash: Hex;
  logs: {
    address: Address;
    topics: Hex[];
    data: Hex;
    logIndex: Hex;
    blockNumber: Hex;
    transactionIndex: Hex;
  }[];
}

/**
 * HCU of every transaction whose receipt the tests fetched (`tx.wait()`), including ones a later
 * `evm_revert` removed from the chain: the suite's FHE cost as it ran.
 */
export class HcuLedger {
  private readonly byTransaction = new Map<Hex, number>();

  constructor(private readonly executor: Address) {}

  recordReceipt(receipt: RpcReceipt | null | undefined): void {
    if (!receipt?.logs || this.byTransaction.has(receipt.transactionHash)) return;
    const events = parseCoprocessorEvents(
      this.executor,
      receipt.logs.map((log) => ({
        address: log.address,
        topics: log.topics,
        data: log.data,
        index: hexToNumber(log.logIndex),
        blockNumber: hexToNumber(log.blockNumber),
        transactionHash: receipt.transactionHash,
        transactionIndex: hexToNumber(log.transactionIndex),
      })),
    );
    if (events.length === 0) return;
    this.byTransaction.set(
      receipt.transactionHash,
      computeTransactionHcu(receipt.transactionHash, events).globalHCU,
    );
  }

  summary(): NonNullable<FheRunReport['hcu']> {
    const values = [...this.byTransaction.values()];
    return {
      transactions: values.length,
      maxPerTransaction: Math.max(0, ...values),
      total: values.reduce((sum, hcu) => sum + hcu, 0),
    };
  }
}
