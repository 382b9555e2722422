import { setTimeout as sleep } from 'node:timers/promises';
import { type Abi, getAddress, type Hex, parseEventLogs, toHex } from 'viem';
import { type DeployedContract, deployContract } from '../chain/deploy.js';
import { compileFixtureContracts, FIXTURE_ABIS, type FixtureName } from '../chain/fixtures.js';
import { type CompileResult, pickContract } from '../chain/solidity.js';
import { clearValueToBigint, type EncryptedInput, type StackClient } from '../client/stack-client.js';
import { FhekitError } from '../errors.js';
import { FheType, nameOf } from '../fhevm/fhe-types.js';
import { INPUT_A, INPUT_B, inputTypes, type SmokeCall, type SmokeCase } from './smoke-cases.js';
import { assertStackReachable, isStackUnreachable } from './stack-reachability.js';

export interface SmokeResult {
  name: string;
  expected: string;
  /** Decrypted value, or the error that prevented it. */
  actual: string;
  passed: boolean;
  /** From sending the transaction to holding the decrypted value (the coprocessor's compute time dominates). */
  ms: number;
}

export type SmokeProgress =
  | { event: 'phase'; label: string }
  | { event: 'case-start'; name: string; index: number; total: number }
  | { event: 'case-done'; result: SmokeResult; index: number; total: number };

export interface SmokeOptions {
  cases: readonly SmokeCase[];
  /** Include the ERC-7984-style confidential token transfer (euint64). */
  token: boolean;
  /** Per value: how long the coprocessor may take before the case fails. */
  timeoutMs: number;
  /**
   * `proven` (default): inputs are encrypted and proven with the relayer SDK; `direct`: handed to the
   * stack in plaintext (`client.directInput`, the stack must run with `--inputs direct`).
   */
  inputs?: 'proven' | 'direct';
  /**
   * For a stack in parity mode: the mismatches it recorded, read after the cases; any is a failed
   * result (engine results that disagree with the plaintext semantics).
   */
  parityMismatches?: () => Promise<number>;
  /** Where compiled fixtures are cached across runs (no cache when omitted). */
  solcCacheDir?: string;
  onProgress?: (progress: SmokeProgress) => void;
}

const ADD_INPUT: Record<FheType, string> = {
  [FheType.Bool]: 'addBool',
  [FheType.Uint8]: 'add8',
  [FheType.Uint16]: 'add16',
  [FheType.Uint32]: 'add32',
  [FheType.Uint64]: 'add64',
  [FheType.Uint128]: 'add128',
  [FheType.Uint160]: 'addAddress',
  [FheType.Uint256]: 'add256',
};
const INPUT_FUNCTION: Record<FheType, string> = {
  [FheType.Bool]: 'inputEbool',
  [FheType.Uint8]: 'inputEuint8',
  [FheType.Uint16]: 'inputEuint16',
  [FheType.Uint32]: 'inputEuint32',
  [FheType.Uint64]: 'inputEuint64',
  [FheType.Uint128]: 'inputEuint128',
  [FheType.Uint160]: 'inputEaddress',
  [FheType.Uint256]: 'inputEuint256',
};

/**
 * The dApp developer's loop, end to end, against a running stack: encrypt inputs with the relayer SDK,
 * send them through every case's FHE operation on the fixture contracts, let the coprocessor compute,
 * decrypt (public decryption through the SDK, user decryption for the token), and compare with the
 * plaintext semantics. Returns one result per case (and per token check); never throws on a mismatch.
 */
export async function runSmokeTest(client: StackClient, options: SmokeOptions): Promise<SmokeResult[]> {
  const progress = options.onProgress ?? (() => {});
  progress({ event: 'phase', label: 'Deploying fixture contracts' });
  // solc in wasm takes seconds per compilation: once per run for both fixtures.
  const compiled = compileFixtureContracts(options.solcCacheDir);
  const ops = await deployFixture(client, compiled, 'HandleOps');

  const types = inputTypes(options.cases);
  const direct = options.inputs === 'direct';
  progress({
    event: 'phase',
    label: `Encrypting inputs (${types.map(nameOf).join(', ')}) ${direct ? 'directly by the stack (no proof)' : 'with the relayer SDK'}`,
  });
  const values = types.flatMap((type) => [INPUT_A[type], INPUT_B[type]].map((value) => ({ type, value })));
  const encrypted = direct
    ? await client.directInput(ops.address, client.account.address, values)
    : await encryptWithSdk(client, ops.address, values);
  const inputs = new Map<FheType, { a: Hex; b: Hex }>();
  for (const [i, type] of types.entries()) {
    const [a, b] = [encrypted.handles[2 * i]!, encrypted.handles[2 * i + 1]!];
    for (const handle of [a, b])
      await send(client, ops.address, ops.contract.abi, INPUT_FUNCTION[type], [handle, encrypted.inputProof]);
    inputs.set(type, { a, b });
  }

  // Transactions go out one after the other (one sender, one nonce sequence); each value is awaited
  // concurrently, so the coprocessor can work on several and every decryption's polling overlaps.
  const pending: Promise<SmokeResult>[] = [];
  const total = options.cases.length;
  for (const [index, smokeCase] of options.cases.entries()) {
    progress({ event: 'case-start', name: smokeCase.name, index, total });
    const started = performance.now();
    const finish = (actual: string, passed: boolean): SmokeResult => {
      const result = {
        name: smokeCase.name,
        expected: smokeCase.expected,
        actual,
        passed,
        ms: performance.now() - started,
      };
      progress({ event: 'case-done', result, index, total });
      return result;
    };
    const failed = (error: unknown): SmokeResult => {
      if (isStackUnreachable(error)) throw error; // every later case would fail the same way
      return finish(`error: ${(error as Error).message.split('\n')[0]}`, false);
    };
    let handle: Hex;
    try {
      const [functionName, args] = contractCall(smokeCase.call, inputs);
      const receipt = await send(client, ops.address, ops.contract.abi, functionName, args);
      const [published] = parseEventLogs({
        abi: ops.contract.abi,
        logs: receipt.logs,
        eventName: 'Published',
      });
      handle = published!.args.handle;
    } catch (error) {
      pending.push(Promise.resolve(failed(error)));
      continue;
    }
    pending.push(
      untilReady(client, options.timeoutMs, async () =>
        clearValueToBigint((await client.sdk.publicDecrypt([handle])).clearValues[handle]),
      ).then((value) => finish(value.toString(), smokeCase.check(value)), failed),
    );
  }
  const results = await Promise.all(pending);
  if (options.token) results.push(...(await runTokenTransfer(client, compiled, options, progress)));
  if (options.parityMismatches) {
    const started = performance.now();
    const mismatches = await options.parityMismatches();
    const result = {
      name: 'Parity: engine results vs plaintext semantics',
      expected: '0 mismatches',
      actual: `${mismatches} mismatches`,
      passed: mismatches === 0,
      ms: performance.now() - started,
    };
    results.push(result);
    progress({ event: 'case-done', result, index: results.length - 1, total: results.length });
  }
  return results;
}

async function deployFixture<const TName extends FixtureName>(
  client: StackClient,
  compiled: Promise<CompileResult>,
  name: TName,
  constructorArgs: readonly unknown[] = [],
): Promise<DeployedContract<(typeof FIXTURE_ABIS)[TName]>> {
  const contract = { ...pickContract(await compiled, name), abi: FIXTURE_ABIS[name] };
  return deployContract(client, contract, constructorArgs);
}

/** One proven input list for `contract` with the relayer SDK (ZK proof made here, verified by the stack). */
async function encryptWithSdk(
  client: StackClient,
  contract: Hex,
  values: readonly { type: FheType; value: bigint }[],
): Promise<EncryptedInput> {
  const builder = client.sdk.createEncryptedInput(contract, client.account.address) as unknown as Record<
    string,
    (value: unknown) => void
  > & { encrypt(): Promise<{ handles: Uint8Array[]; inputProof: Uint8Array }> };
  for (const { type, value } of values) {
    builder[ADD_INPUT[type]]!(
      // The SDK takes eaddress only as a checksummed address.
      type === FheType.Bool
        ? value === 1n
        : type === FheType.Uint160
          ? getAddress(toHex(value, { size: 20 }))
          : value,
    );
  }
  const encrypted = await builder.encrypt();
  return { handles: encrypted.handles.map((h) => toHex(h)), inputProof: toHex(encrypted.inputProof) };
}

function contractCall(call: SmokeCall, inputs: Map<FheType, { a: Hex; b: Hex }>): [string, unknown[]] {
  const input = (type: FheType) => inputs.get(type)!;
  switch (call.kind) {
    case 'binary':
      return call.scalar === undefined
        ? ['binary', [call.op, input(call.type).a, input(call.type).b, false]]
        : ['binary', [call.op, input(call.type).a, toHex(call.scalar, { size: 32 }), true]];
    case 'unary':
      return ['unary', [call.op, input(call.type).a]];
    case 'select':
      return ['select', [input(FheType.Bool).a, input(call.type).a, input(call.type).b]];
    case 'cast':
      return ['cast', [input(call.type).a, call.to]];
    case 'trivialEncrypt':
      return ['trivialEncrypt', [call.value, call.type]];
    case 'rand':
      return call.bound === undefined ? ['rand', [call.type]] : ['randBounded', [call.bound, call.type]];
  }
}

async function send(client: StackClient, address: Hex, abi: Abi, functionName: string, args: unknown[]) {
  const hash = await client.walletClient.writeContract({ address, abi, functionName, args } as never);
  const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw new FhekitError('FHE_SMOKE_TX_REVERTED', `${functionName} reverted (transaction ${hash}).`, {
      hint: 'Check the stack log: the host contracts refused the operation.',
    });
  }
  return receipt;
}

/**
 * Retries `attempt` every 500 ms while the coprocessor is still computing, until `timeoutMs` passes;
 * at once FHE_STACK_UNREACHABLE if the stack stopped answering.
 */
async function untilReady<T>(client: StackClient, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      await assertStackReachable(client);
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

async function runTokenTransfer(
  client: StackClient,
  compiled: Promise<CompileResult>,
  options: SmokeOptions,
  progress: (p: SmokeProgress) => void,
): Promise<SmokeResult[]> {
  const { timeoutMs } = options;
  progress({ event: 'phase', label: 'Confidential token (ERC-7984-style transfer on euint64)' });
  const token = await deployFixture(client, compiled, 'ConfidentialToken', ['Smoke', 'SMK']);
  const abi = token.contract.abi;
  const me = client.account.address;
  const recipient = '0x00000000000000000000000000000000000000b0';
  await send(client, token.address, abi, 'mint', [me, 1_000n]);
  const results: SmokeResult[] = [];

  /** One user decryption of every value of a transfer (each SDK decryption polls for at least 1 s). */
  const check = async (
    started: number,
    checks: readonly { name: string; handle: Hex; expected: bigint }[],
  ) => {
    let values: (bigint | string)[];
    try {
      values = await untilReady(client, timeoutMs, () =>
        client.userDecrypt(
          checks.map((c) => c.handle),
          token.address,
        ),
      );
    } catch (error) {
      if (isStackUnreachable(error)) throw error;
      values = checks.map(() => `error: ${(error as Error).message.split('\n')[0]}`);
    }
    return checks.map(({ name, expected }, i) => ({
      name,
      expected: expected.toString(),
      actual: String(values[i]),
      passed: values[i] === expected,
      ms: performance.now() - started,
    }));
  };
  const transferred = (receipt: Awaited<ReturnType<typeof send>>) =>
    parseEventLogs({ abi, logs: receipt.logs, eventName: 'ConfidentialTransfer' })[0]!.args.amount as Hex;
  const balance = async () =>
    (await client.publicClient.readContract({
      address: token.address,
      abi,
      functionName: 'confidentialBalanceOf',
      args: [me],
    })) as Hex;

  let started = performance.now();
  const amount = [{ type: FheType.Uint64, value: 300n }];
  const encrypted =
    options.inputs === 'direct'
      ? await client.directInput(token.address, me, amount)
      : await encryptWithSdk(client, token.address, amount);
  const moved = await send(client, token.address, abi, 'confidentialTransfer', [
    recipient,
    encrypted.handles[0]!,
    encrypted.inputProof,
  ]);
  // The first transfer's values are decrypted while the second transfer goes out.
  const first = check(started, [
    { name: 'Token transfer 300 of 1000: amount moved', handle: transferred(moved), expected: 300n },
    { name: 'Token transfer 300 of 1000: sender balance', handle: await balance(), expected: 700n },
  ]);
  first.catch(() => {}); // awaited below; a stack that went away must not be an unhandled rejection meanwhile
  started = performance.now();
  const refused = await send(client, token.address, abi, 'transferPlain', [recipient, 5_000n]);
  const second = check(started, [
    { name: 'Token transfer 5000 of 700: amount moved', handle: transferred(refused), expected: 0n },
    { name: 'Token transfer 5000 of 700: sender balance', handle: await balance(), expected: 700n },
  ]);
  for (const result of [...(await first), ...(await second)]) {
    results.push(result);
    progress({ event: 'case-done', result, index: results.length - 1, total: 4 });
  }
  return results;
}
