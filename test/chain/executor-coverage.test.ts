import type { Log } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployedContract } from '../../src/chain/deploy.js';
import type { FIXTURE_ABIS } from '../../src/chain/fixtures.js';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { parseHandle } from '../../src/fhevm/handles.js';
import { FheOp, opName } from '../../src/fhevm/operations.js';
import { deployFixture, executorEvents, transact } from './fixture-chain.js';

// Types FHEVMExecutor 0.10.0 accepts per operation (docs/fhevm-protocol.md §Operations).
const { Bool, Uint8, Uint16, Uint32, Uint64, Uint128, Uint160, Uint256 } = FheType;
const ARITH = [Uint8, Uint16, Uint32, Uint64, Uint128];
const BITWISE = [Bool, ...ARITH, Uint256];
const SHIFT = [...ARITH, Uint256];
const EQUALITY = [Bool, ...ARITH, Uint160, Uint256];
const ALL = EQUALITY;

const BINARY: [FheOp, FheType[], { scalarOnly?: boolean; boolResult?: boolean }][] = [
  [FheOp.Add, ARITH, {}],
  [FheOp.Sub, ARITH, {}],
  [FheOp.Mul, ARITH, {}],
  [FheOp.Div, ARITH, { scalarOnly: true }],
  [FheOp.Rem, ARITH, { scalarOnly: true }],
  [FheOp.BitAnd, BITWISE, {}],
  [FheOp.BitOr, BITWISE, {}],
  [FheOp.BitXor, BITWISE, {}],
  [FheOp.Shl, SHIFT, {}],
  [FheOp.Shr, SHIFT, {}],
  [FheOp.Rotl, SHIFT, {}],
  [FheOp.Rotr, SHIFT, {}],
  [FheOp.Eq, EQUALITY, { boolResult: true }],
  [FheOp.Ne, EQUALITY, { boolResult: true }],
  [FheOp.Ge, ARITH, { boolResult: true }],
  [FheOp.Gt, ARITH, { boolResult: true }],
  [FheOp.Le, ARITH, { boolResult: true }],
  [FheOp.Lt, ARITH, { boolResult: true }],
  [FheOp.Min, ARITH, {}],
  [FheOp.Max, ARITH, {}],
];

/** Event the executor emits for an op: `FheAdd` … except `Cast` and `TrivialEncrypt`. */
function eventNameOf(op: FheOp): string {
  return op === FheOp.Cast || op === FheOp.TrivialEncrypt ? opName(op) : `Fhe${opName(op)}`;
}

let chain: ChainHandle;
let ops: DeployedContract<typeof FIXTURE_ABIS.HandleOps>;
const seen = new Set<FheOp>();

beforeAll(async () => {
  chain = await startChain();
  ops = await deployFixture(chain, 'HandleOps');
});

afterAll(async () => {
  await chain?.stop();
});

/** Sends the call; the last executor event must be `op`'s, with a computed handle of `resultType`. */
async function expectOperation(op: FheOp, resultType: FheType, functionName: string, args: unknown[]) {
  const logs: Log[] = await transact(chain, ops, functionName, args);
  const call = `${functionName}(${args.join(', ')})`;
  const last = executorEvents(chain, logs).at(-1);
  if (!last) throw new Error(`${call} emitted no FHEVMExecutor event`);
  expect(last.eventName, call).toBe(eventNameOf(op));
  const result = (last.args as { result: `0x${string}` }).result;
  expect(parseHandle(result), call).toMatchObject({
    inputIndex: null,
    chainId: BigInt(chain.chainId),
    type: resultType,
  });
  seen.add(op);
}

describe('HandleOps reaches every FHEVMExecutor operation for every type it accepts', () => {
  it('binary operations, encrypted and scalar right-hand sides', async () => {
    for (const [op, types, { scalarOnly, boolResult }] of BINARY) {
      for (const type of types) {
        for (const scalar of scalarOnly ? [true] : [false, true]) {
          await expectOperation(op, boolResult ? Bool : type, 'binaryPlain', [op, type, 7n, 3n, scalar]);
        }
      }
    }
  });

  it('neg, not, select, trivialEncrypt, rand, randBounded', async () => {
    for (const type of SHIFT) await expectOperation(FheOp.Neg, type, 'unaryPlain', [FheOp.Neg, type, 5n]);
    for (const type of BITWISE) await expectOperation(FheOp.Not, type, 'unaryPlain', [FheOp.Not, type, 1n]);
    for (const type of ALL) {
      await expectOperation(FheOp.IfThenElse, type, 'selectPlain', [true, type, 1n, 0n]);
      await expectOperation(FheOp.TrivialEncrypt, type, 'trivialEncrypt', [1n, type]);
    }
    for (const type of BITWISE) await expectOperation(FheOp.Rand, type, 'rand', [type]);
    for (const type of SHIFT) await expectOperation(FheOp.RandBounded, type, 'randBounded', [4n, type]);
  });

  it('casts between every pair of castable types', async () => {
    for (const from of BITWISE) {
      for (const to of SHIFT) {
        if (from !== to) await expectOperation(FheOp.Cast, to, 'castPlain', [from, 1n, to]);
      }
    }
  });

  it('covered all 27 operations, and the executor rejects a type it does not accept', async () => {
    expect([...seen].sort((a, b) => a - b)).toEqual(Object.values(FheOp).sort((a, b) => a - b));
    await expect(
      transact(chain, ops, 'binaryPlain', [FheOp.Add, Bool, 1n, 1n, false]),
      `add on ${nameOf(Bool)}`,
    ).rejects.toThrow();
  });
});
