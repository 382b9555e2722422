import { describe, expect, it } from 'vitest';
import type { CoprocessorEvent } from '../../src/hardhat/fhevm-types.js';
import { computeTransactionHcu } from '../../src/hardhat/hcu.js';

/** A handle whose type byte (byte 30) is `type`; `n` keeps handles distinct. */
const handle = (n: number, type: number) =>
  `0x${n.toString(16).padStart(60, '0')}${type.toString(16).padStart(2, '0')}00` as const;

const event = (eventName: CoprocessorEvent['eventName'], args: object): CoprocessorEvent => ({
  eventName,
  args,
  index: 0,
  blockNumber: 1,
  transactionHash: '0x01',
  transactionIndex: 0,
});

describe('computeTransactionHcu', () => {
  it('prices ops as the deployed HCULimit does, and follows the dependency chain for the depth', () => {
    const a = handle(1, 2); // euint8 input
    const b = handle(2, 2);
    const sum = handle(3, 2);
    const scalarSum = handle(4, 2);
    const info = computeTransactionHcu('0xabc', [
      event('VerifyInput', { result: a }),
      event('FheAdd', { lhs: a, rhs: b, scalarByte: '0x00', result: sum }),
      event('FheAdd', { lhs: sum, rhs: `0x${'0'.repeat(62)}01`, scalarByte: '0x01', result: scalarSum }),
    ]);
    // HCULimit.sol (host-contracts 0.10.0): FheAdd euint8 costs 88000 encrypted, 84000 with a scalar.
    expect(info.globalHCU).toBe(88_000 + 84_000);
    expect(info.HCUDepthByHandle[sum]).toBe(88_000);
    expect(info.maxHCUDepth).toBe(88_000 + 84_000);
    expect(info.transactionHash).toBe('0xabc');
  });

  it('prices a select by its branches and independent ops in parallel for the depth', () => {
    const c = handle(1, 0); // ebool
    const x = handle(2, 5); // euint64
    const y = handle(3, 5);
    const info = computeTransactionHcu('0x1', [
      event('FheIfThenElse', { control: c, ifTrue: x, ifFalse: y, result: handle(4, 5) }),
      event('FheNot', { ct: c, result: handle(5, 0) }),
    ]);
    expect(info.globalHCU).toBeGreaterThan(info.maxHCUDepth);
    expect(info.maxHCUDepth).toBe(Math.max(...Object.values(info.HCUDepthByHandle)));
  });
});
