import { setTimeout as sleep } from 'node:timers/promises';
import { type Abi, getAddress, type Hex, parseEventLogs, toHex } from 'viem';
import { type DeployedContract, deployContract } from '../chain/deploy.js';
import { compileFixtureContracts, FIXTURE_ABIS, type FixtureName } from '../chain/fixtures.js';
import { type CompileResult, pickContract } from '../chain/solidity.js';
import { clearValueToBigint, type EncryptedInput, type StackClient } from '../client/stack-client.js';
import { createTransactionSender, GAS_LIMIT, type TransactionSender } from '../client/transaction-sender.js';
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
  | { event: 'span'; span: SmokeSpan }
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
 * The cases and the token transfer are independent, so all of them are in flight at once (one nonce
 * sequence, see createTransactionSender): the coprocessor works on several and the SDK's polling (at
 * least 1 s per decryption) overlaps.
 */
export async function runSmokeTest(client: StackClient, options: SmokeOptions): Promise<SmokeResult[]> {
  const progress = options.onProgress ?? (() => {});
  const spans = spanRecorder(progress);
  progress({ event: 'phase', label: 'Deploying fixture contracts' });
  // solc in wasm takes seconds per compilation: once per run for both fixtures.
  const compiled = compileFixtureContracts(options.solcCacheDir);
  const deployed = spans.over('compile and deploy fixtures');
  const ops = await deployed.time(() => deployFixture(client, compiled, 'HandleOps'));
  const token = options.token
    ? await deployed.time(() => deployFixture(client, compiled, 'ConfidentialToken', ['Smoke', 'SMK']))
    : undefined;
  deployed.end();

  const sender = createTransactionSender(client);
  const [results, tokenResults] = await Promise.all([
    runCases(client, sender, ops, options, progress, spans),
    token ? runTokenTransfer(client, sender, token, options, progress, spans) : [],
  ]);
  results.push(...tokenResults);
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

type Fixture<TName extends FixtureName> = DeployedContract<(typeof FIXTURE_ABIS)[TName]>;

/** Every HandleOps case: the inputs, then each case's transaction and decryption, all cases at once. */
async function runCases(
  client: StackClient,
  sender: TransactionSender,
  ops: Fixture<'HandleOps'>,
  options: SmokeOptions,
  progress: (p: SmokeProgress) => void,
  spans: SpanRecorder,
): Promise<SmokeResult[]> {
  const types = inputTypes(options.cases);
  const direct = options.inputs === 'direct';
  progress({
    event: 'phase',
    label: `Encrypting inputs (${types.map(nameOf).join(', ')}) ${direct ? 'directly by the stack (no proof)' : 'with the relayer SDK'}`,
  });
  const values = types.flatMap((type) => [INPUT_A[type], INPUT_B[type]].map((value) => ({ type, value })));
  const encrypting = spans.over(
    direct ? 'inputs: direct (stack encrypts and signs)' : 'inputs: SDK encrypt + prove',
  );
  const encrypted = await encrypting.time(() =>
    direct
      ? client.directInput(ops.address, client.account.address, values)
      : encryptWithSdk(client, ops.address, values),
  );
  encrypting.end();
  const inputs = new Map<FheType, { a: Hex; b: Hex }>();
  const inputTransactions = spans.over(`input transactions (${2 * types.length}, at once)`);
  await Promise.all(
    types.map(async (type, i) => {
      const [a, b] = [encrypted.handles[2 * i]!, encrypted.handles[2 * i + 1]!];
      await Promise.all(
        [a, b].map((handle) =>
          inputTransactions.time(() =>
            send(client, sender, ops.address, ops.contract.abi, INPUT_FUNCTION[type], [
              handle,
              encrypted.inputProof,
            ]),
          ),
        ),
      );
      inputs.set(type, { a, b });
    }),
  );
  inputTransactions.end();

  const total = options.cases.length;
  const transactions = spans.over(`case transactions (${total}, at once)`);
  const decryptions = spans.over(`case decryptions (${total}, SDK public decryption)`);
  const results = await Promise.all(
    options.cases.map(async (smokeCase, index) => {
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
        const receipt = await transactions.time(() =>
          send(client, sender, ops.address, ops.contract.abi, functionName, args),
        );
        const [published] = parseEventLogs({
          abi: ops.contract.abi,
          logs: receipt.logs,
          eventName: 'Published',
        });
        handle = published!.args.handle;
      } catch (error) {
        return failed(error);
      }
      try {
        const value = await decryptions.time(() =>
          untilReady(client, options.timeoutMs, async () =>
            clearValueToBigint((await client.sdk.publicDecrypt([handle])).clearValues[handle]),
          ),
        );
        return finish(value.toString(), smokeCase.check(value));
      } catch (error) {
        return failed(error);
      }
    }),
  );
  transactions.end();
  decryptions.end();
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

async function send(
  client: StackClient,
  sender: TransactionSender,
  address: Hex,
  abi: Abi,
  functionName: string,
  args: unknown[],
) {
  const receipt = await sender.send(address, abi, functionName, args);
  if (receipt.status !== 'success') {
    // Sent without a simulation first: replay the call on the state before its block for the reason.
    const reason = await client.publicClient
      .simulateContract({
        account: client.account,
        address,
        abi,
        functionName,
        args,
        blockNumber: receipt.blockNumber - 1n,
      })
      .then(
        () =>
          receipt.gasUsed >= GAS_LIMIT ? `out of gas (limit ${GAS_LIMIT})` : 'no reason given on replay',
        // viem puts the revert's signature or reason on the next line.
        (error: Error & { shortMessage?: string }) =>
          (error.shortMessage ?? error.message).replace(/\s*\n\s*/g, ' '),
      );
    const hash = receipt.transactionHash;
    throw new FhekitError(
      'FHE_SMOKE_TX_REVERTED',
      `${functionName} reverted (transaction ${hash}): ${reason}`,
      {
        hint: 'Check the stack log: the host contracts refused the operation.',
      },
    );
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
  sender: TransactionSender,
  token: Fixture<'ConfidentialToken'>,
  options: SmokeOptions,
  progress: (p: SmokeProgress) => void,
  spans: SpanRecorder,
): Promise<SmokeResult[]> {
  const { timeoutMs } = options;
  progress({ event: 'phase', label: 'Confidential token (ERC-7984-style transfer on euint64)' });
  const span = spans.over('token transfers (mint, 2 transfers, user decryptions)');
  const results = await span.time(() => tokenTransfers(client, sender, token, timeoutMs, options.inputs));
  span.end();
  for (const [index, result] of results.entries()) progress({ event: 'case-done', result, index, total: 4 });
  return results;
}

async function tokenTransfers(
  client: StackClient,
  sender: TransactionSender,
  token: Fixture<'ConfidentialToken'>,
  timeoutMs: number,
  inputs: SmokeOptions['inputs'],
): Promise<SmokeResult[]> {
  const abi = token.contract.abi;
  const me = client.account.address;
  const recipient = '0x00000000000000000000000000000000000000b0';
  const amount = [{ type: FheType.Uint64, value: 300n }];
  let started = performance.now();
  // The transfer's input does not depend on the mint: encrypted while the mint goes out.
  const [encrypted] = await Promise.all([
    inputs === 'direct'
      ? client.directInput(token.address, me, amount)
      : encryptWithSdk(client, token.address, amount),
    send(client, sender, token.address, abi, 'mint', [me, 1_000n]),
  ]);

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

  const moved = await send(client, sender, token.address, abi, 'confidentialTransfer', [
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
  const refused = await send(client, sender, token.address, abi, 'transferPlain', [recipient, 5_000n]);
  const second = check(started, [
    { name: 'Token transfer 5000 of 700: amount moved', handle: transferred(refused), expected: 0n },
    { name: 'Token transfer 5000 of 700: sender balance', handle: await balance(), expected: 700n },
  ]);
  return [...(await first), ...(await second)];
}

export interface SmokeSpan {
  label: string;
  /** `performance.now()` when it began. */
  start: number;
  ms: number;
}

interface SpanRecorder {
  /** One span over pieces of work that may overlap: from the first start to the last end. */
  over(label: string): { time<T>(work: () => Promise<T>): Promise<T>; end(): void };
}

/** Where a run's time goes (`fhe smoke-test --profile`): spans reported as `span` progress events. */
function spanRecorder(progress: (p: SmokeProgress) => void): SpanRecorder {
  return {
    over(label) {
      let first: number | undefined;
      let last = 0;
      return {
        async time(work) {
          first ??= performance.now();
          try {
            return await work();
          } finally {
            last = performance.now();
          }
        },
        end() {
          if (first === undefined) return;
          progress({ event: 'span', span: { label, start: first, ms: last - first } });
        },
      };
    },
  };
}
