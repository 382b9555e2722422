import { encodeAbiParameters, encodeEventTopics, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { fhevmExecutorEventsAbi } from '../../src/chain/abis.js';
import { HOST_ADDRESSES } from '../../src/chain/host-contracts.js';
import { HcuLedger } from '../../src/hardhat/hcu-ledger.js';

const euint8 = (n: number): Hex => `0x${n.toString(16).padStart(60, '0')}0200`;

/** A JSON-RPC receipt with one FheAdd(euint8, euint8) log of the executor. */
function receiptWithAdd(transactionHash: Hex, address: Hex = HOST_ADDRESSES.executor) {
  const topics = encodeEventTopics({
    abi: fhevmExecutorEventsAbi,
    eventName: 'FheAdd',
    args: { caller: '0x00000000000000000000000000000000000000c0' },
  });
  const data = encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes1' }, { type: 'bytes32' }],
    [euint8(1), euint8(2), '0x00', euint8(3)],
  );
  return {
    transactionHash,
    logs: [{ address, topics, data, logIndex: '0x0', blockNumber: '0x5', transactionIndex: '0x0' }],
  };
}

describe('HcuLedger', () => {
  it('sums the HCU of each fetched receipt once, ignoring receipts without FHE events', () => {
    const ledger = new HcuLedger(HOST_ADDRESSES.executor);
    ledger.recordReceipt(receiptWithAdd('0x01') as never);
    ledger.recordReceipt(receiptWithAdd('0x01') as never); // the same receipt fetched twice
    ledger.recordReceipt(receiptWithAdd('0x02') as never);
    ledger.recordReceipt(receiptWithAdd('0x03', '0x00000000000000000000000000000000000000c0') as never);
    ledger.recordReceipt(null);
    // FheAdd on euint8, both operands encrypted: 88000 HCU (HCULimit of host-contracts 0.10.0).
    expect(ledger.summary()).toEqual({ transactions: 2, maxPerTransaction: 88_000, total: 176_000 });
  });
});
