import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { TfheClientKey } from 'node-tfhe';
import { openSqliteStore } from '../coprocessor/sqlite-store.js';
import type { FhevmOperand } from '../engine/evaluator.js';
import { createPooledEvaluator } from '../engine/pool/pooled-evaluator.js';
import { FhekitError } from '../errors.js';
import { bitsOf, FheType } from '../fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { FheOp, isComparison } from '../fhevm/operations.js';
import { plaintextResult } from '../fhevm/plaintext-semantics.js';
import { type Keyset, loadKeyset } from '../keys/load-keyset.js';
import { checkStateKeyset } from '../stack/state-keyset.js';
import { stateDirLayout } from '../state-dir.js';
import { decryptWithClientKey, encryptWithClientKey } from '../tfhe/client-ciphertexts.js';
import {
  parseShellOperand,
  readCiphertextFile,
  type ShellOperand,
  typeOfCiphertext,
} from './shell-operands.js';

/** Command-line op names → fhEVM ops, plus the two non-FHE verbs. */
export const SHELL_OPS = {
  add: FheOp.Add,
  sub: FheOp.Sub,
  mul: FheOp.Mul,
  div: FheOp.Div,
  rem: FheOp.Rem,
  and: FheOp.BitAnd,
  or: FheOp.BitOr,
  xor: FheOp.BitXor,
  shl: FheOp.Shl,
  shr: FheOp.Shr,
  rotl: FheOp.Rotl,
  rotr: FheOp.Rotr,
  eq: FheOp.Eq,
  ne: FheOp.Ne,
  ge: FheOp.Ge,
  gt: FheOp.Gt,
  le: FheOp.Le,
  lt: FheOp.Lt,
  min: FheOp.Min,
  max: FheOp.Max,
  neg: FheOp.Neg,
  not: FheOp.Not,
  select: FheOp.IfThenElse,
  cast: FheOp.Cast,
  rand: FheOp.Rand,
  'rand-bounded': FheOp.RandBounded,
} as const;
export type ShellVerb = keyof typeof SHELL_OPS | 'encrypt' | 'decrypt';
export const SHELL_VERBS = ['encrypt', 'decrypt', ...Object.keys(SHELL_OPS)] as ShellVerb[];

const ARITY: Partial<Record<FheOp, number>> = {
  [FheOp.Neg]: 1,
  [FheOp.Not]: 1,
  [FheOp.Cast]: 1,
  [FheOp.IfThenElse]: 3,
  [FheOp.Rand]: 0,
  [FheOp.RandBounded]: 1,
};

export interface ShellComputeRequest {
  verb: ShellVerb;
  operands: string[];
  /** Type for plaintext operands (and rand); inferred from a ciphertext operand when omitted. */
  type?: FheType;
  /** Target of `cast`. */
  toType?: FheType;
  /** Use the last operand as a plaintext scalar (like `FHE.add(x, 3)`). */
  scalar: boolean;
  keysDir: string;
  /** Where to find handles of a running stack (its coprocessor database). */
  stateDir: string;
  /** Engine worker threads (default: number of cores). */
  threads?: number;
}

export interface ShellComputeResult {
  verb: ShellVerb;
  type: FheType;
  /** node-tfhe `safe_serialize` bytes of the result (absent for `decrypt`). */
  ciphertext?: Uint8Array;
  /** The result decrypted with the client key. */
  value: bigint;
  /** What the fhEVM's plaintext semantics give for the decrypted inputs (binary/unary/select ops). */
  expected?: bigint;
  computeMs: number;
  /** The engine kernels that ran the op (`native-avx512f`, `wasm-simd128`, …); absent for encrypt/decrypt. */
  kernel?: string;
}

/** `fhe compute`: encrypt, decrypt, or run one fhEVM op on plaintexts, ciphertext files or stored handles. */
export async function shellCompute(request: ShellComputeRequest): Promise<ShellComputeResult> {
  const keyset = loadKeyset(request.keysDir);
  const clientKey = TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT);
  const parsed = request.operands.map(parseShellOperand);
  const storedHandles = handleReader(request.stateDir, keyset);
  const ciphertextOf = async (operand: ShellOperand) =>
    operand.kind === 'file'
      ? readCiphertextFile(operand.path)
      : operand.kind === 'handle'
        ? storedHandles(operand.handle)
        : undefined;

  if (request.verb === 'encrypt' || request.verb === 'decrypt') {
    expectArity(request.verb, parsed, 1);
    if (request.verb === 'encrypt') {
      const type = requireType(request.type, request.verb);
      const value = plainValue(parsed[0]!, request.verb);
      const ciphertext = encryptWithClientKey(type, value, clientKey);
      return {
        verb: request.verb,
        type,
        ciphertext,
        value: decryptWithClientKey(type, ciphertext, clientKey),
        computeMs: 0,
      };
    }
    const bytes = await ciphertextOf(parsed[0]!);
    if (!bytes) throw operandError('decrypt needs a ciphertext file or a handle, not a number.');
    const type = typeOfCiphertext(bytes);
    return { verb: request.verb, type, value: decryptWithClientKey(type, bytes, clientKey), computeMs: 0 };
  }

  const op = SHELL_OPS[request.verb];
  expectArity(request.verb, parsed, ARITY[op] ?? 2);
  const ciphertexts = await Promise.all(parsed.map(ciphertextOf));
  // select's control is an ebool: the branches carry the type.
  const typed = (op === FheOp.IfThenElse ? ciphertexts.slice(1) : ciphertexts).find((c) => c !== undefined);
  const type = typed ? typeOfCiphertext(typed) : requireType(request.type, request.verb);
  const operands: FhevmOperand[] = [];
  const plaintexts: bigint[] = [];
  for (const [i, operand] of parsed.entries()) {
    const isScalar = (request.scalar && i === parsed.length - 1 && i > 0) || op === FheOp.RandBounded;
    // select's control is an ebool whatever the branch type.
    const operandType = op === FheOp.IfThenElse && i === 0 ? FheType.Bool : type;
    if (isScalar) {
      const value = plainValue(operand, request.verb);
      operands.push({ scalar: value });
      plaintexts.push(value);
      continue;
    }
    const bytes =
      ciphertexts[i] ?? encryptWithClientKey(operandType, plainValue(operand, request.verb), clientKey);
    operands.push({ ciphertext: bytes, type: operandType });
    plaintexts.push(decryptWithClientKey(operandType, bytes, clientKey));
  }
  const resultType =
    op === FheOp.Cast ? requireType(request.toType, 'cast (--to)') : isComparison(op) ? FheType.Bool : type;
  const evaluator = await createPooledEvaluator({
    evaluationKeys: keyset.read('evaluationKeys'),
    ...(request.threads === undefined ? {} : { threads: request.threads }),
  });
  const started = performance.now();
  const ciphertext = await evaluator.compute({
    op,
    resultType,
    operands,
    ...(op === FheOp.Rand || op === FheOp.RandBounded ? { seed: randomBytes(16) } : {}),
  });
  const computeMs = performance.now() - started;
  const { kernel } = evaluator;
  await evaluator.stop();
  const value = decryptWithClientKey(resultType, ciphertext, clientKey);
  const expected =
    op === FheOp.Cast
      ? plaintexts[0]! & ((1n << BigInt(bitsOf(resultType))) - 1n)
      : op === FheOp.Rand || op === FheOp.RandBounded
        ? undefined
        : plaintextResult(op, type, plaintexts[0]!, plaintexts[1], plaintexts[2]);
  if (expected !== undefined && expected !== value) {
    throw new FhekitError(
      'FHE_COMPUTE_MISMATCH',
      `${request.verb} decrypted to ${value}, but the fhEVM plaintext semantics give ${expected}.`,
      { hint: 'This is an engine bug: please report it with the operands.' },
    );
  }
  return {
    verb: request.verb,
    type: resultType,
    ciphertext,
    value,
    ...(expected === undefined ? {} : { expected }),
    computeMs,
    kernel,
  };
}

function handleReader(stateDir: string, keyset: Keyset) {
  return async (handle: `0x${string}`): Promise<Uint8Array> => {
    const dbPath = stateDirLayout(stateDir).coprocessorDb;
    if (!existsSync(dbPath)) {
      throw operandError(`No coprocessor database at ${dbPath} to look up handle ${handle}.`);
    }
    // Stored ciphertexts decrypt to garbage under another keyset's client key.
    checkStateKeyset(stateDir, keyset);
    const store = openSqliteStore(dbPath);
    try {
      const stored = await store.getCiphertext(handle);
      if (!stored)
        throw operandError(`Handle ${handle} has no ciphertext in ${dbPath} (unknown, or not computed yet).`);
      return stored.bytes;
    } finally {
      await store.close();
    }
  };
}

function plainValue(operand: ShellOperand, verb: string): bigint {
  if (operand.kind !== 'plain')
    throw operandError(
      `${verb} expects a number here, got ${operand.kind === 'file' ? operand.path : operand.handle}.`,
    );
  return operand.value;
}

function requireType(type: FheType | undefined, verb: string): FheType {
  if (type === undefined) {
    throw new FhekitError('FHE_COMPUTE_TYPE_REQUIRED', `${verb} needs a type for its plaintext operands.`, {
      hint: 'Pass --type euint8 (or ebool, euint16 … euint256, eaddress).',
    });
  }
  return type;
}

function expectArity(verb: string, operands: ShellOperand[], count: number) {
  if (operands.length !== count)
    throw operandError(`${verb} takes ${count} operand(s), got ${operands.length}.`);
}

function operandError(message: string): FhekitError {
  return new FhekitError('FHE_COMPUTE_OPERAND', message, {
    hint: 'Operands are integers (42, 0xff, true), ciphertext files from `fhe compute encrypt`, or 32-byte handles of a running stack.',
  });
}
