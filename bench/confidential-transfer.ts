import type { TfheClientKey } from 'node-tfhe';
import type { FhevmOperand } from '../src/engine/evaluator.js';
import type { PooledEvaluator } from '../src/engine/pool/pooled-evaluator.js';
import { FheType } from '../src/fhevm/fhe-types.js';
import { FheOp } from '../src/fhevm/operations.js';
import { decryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';

const U64 = FheType.Uint64;

/**
 * ge, select, then sub and add side by side: what an ERC-7984 transfer asks of the coprocessor. The
 * benches encrypt 1000 → 50 moving 300; the new balances are decrypted and checked (a fast wrong
 * kernel must not look like a win).
 */
export async function checkedTransfer(
  pool: PooledEvaluator,
  clientKey: TfheClientKey,
  from: FhevmOperand,
  to: FhevmOperand,
  amount: FhevmOperand,
): Promise<void> {
  const [ok, zero] = await Promise.all([
    pool.compute({ op: FheOp.Ge, resultType: FheType.Bool, operands: [from, amount] }),
    pool.compute({ op: FheOp.TrivialEncrypt, resultType: U64, operands: [{ scalar: 0n }] }),
  ]);
  const moved: FhevmOperand = {
    type: U64,
    ciphertext: await pool.compute({
      op: FheOp.IfThenElse,
      resultType: U64,
      operands: [{ type: FheType.Bool, ciphertext: ok }, amount, { type: U64, ciphertext: zero }],
    }),
  };
  const balances = await Promise.all([
    pool.compute({ op: FheOp.Sub, resultType: U64, operands: [from, moved] }),
    pool.compute({ op: FheOp.Add, resultType: U64, operands: [to, moved] }),
  ]);
  const [newFrom, newTo] = balances.map((c) => decryptWithClientKey(U64, c, clientKey));
  if (newFrom !== 700n || newTo !== 350n) throw new Error(`transfer decrypted to ${newFrom}, ${newTo}`);
}
