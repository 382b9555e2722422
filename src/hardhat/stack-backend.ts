import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createPublicClient, custom, type Hex } from 'viem';
import { readGatewayDomains } from '../chain/gateway-domains.js';
import { HOST_ADDRESSES } from '../chain/host-contracts.js';
import { FhekitError } from '../errors.js';
import { readStackRecord, type StackRecord } from '../stack/stack-record.js';
import { stateDirLayout } from '../state-dir.js';
import type { FhevmBackend } from './backend.js';
import type { Eip1193Provider } from './in-process-backend.js';
import { readStackTotals, totalsSince } from './stack-report.js';

export interface StackBackendOptions {
  networkName: string;
  rpcUrl: string | undefined;
  provider: Eip1193Provider;
  logger: Logger;
  /** The stack's state directory (`FHE_STATE_DIR`, read by the plugin entry; default `.fhe`). */
  stateDir: string;
}

/** Longer than the stack's default decrypt wait (10 min), so the stack's own error arrives first. */
const DEBUGGER_TIMEOUT_MS = 11 * 60_000;

const sameEndpoint = (a: string, b: string) => {
  const norm = (u: string) => {
    const url = new URL(u);
    const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
    return `${host}:${url.port}`;
  };
  return norm(a) === norm(b);
};

/**
 * The backend of a running `fhe dev up`: found through its state directory's `stack.json`, whose RPC
 * URL must be the network's. The SDK then talks to the stack's relayer API; the stack's coprocessor
 * follows the chain itself.
 */
export async function connectToStackBackend(options: StackBackendOptions): Promise<FhevmBackend> {
  const stateDir = resolve(options.stateDir);
  const record: StackRecord | undefined = readStackRecord(stateDir);
  if (!record) {
    throw new FhekitError(
      'FHE_STACK_NOT_RUNNING',
      `Network '${options.networkName}' is not Hardhat's in-process network, and no fhekit stack runs from ${stateDir}.`,
      {
        hint: 'Start one with `npx fhe dev up` (or set FHE_STATE_DIR to its state directory), or run on the default `hardhat` network.',
      },
    );
  }
  if (options.rpcUrl && !sameEndpoint(options.rpcUrl, record.rpcUrl)) {
    throw new FhekitError(
      'FHE_STACK_MISMATCH',
      `Network '${options.networkName}' points at ${options.rpcUrl}, but the fhekit stack in ${stateDir} serves ${record.rpcUrl}.`,
      { hint: `Set the network's url to ${record.rpcUrl}, or FHE_STATE_DIR to the right stack.` },
    );
  }
  const client = createPublicClient({ transport: custom(options.provider) });
  const chainId = await client.getChainId();
  const { gatewayChainId, inputVerification, decryption } = await readGatewayDomains(client);
  options.logger.info({ stateDir, api: record.apiUrl }, 'using a running fhekit stack');
  // The end-of-run report is the stack's work since now, read off its Prometheus counters.
  const totalsAtStart = await readStackTotals(record.metricsUrl);
  // The debugger's routes answer only to the stack's API token, which its owner can read here.
  const debuggerCall = async (route: string, body: object): Promise<unknown> => {
    const tokenFile = stateDirLayout(stateDir).apiToken;
    let token: string;
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (cause) {
      throw new FhekitError('FHE_DEBUGGER_UNAVAILABLE', `Cannot read the stack's API token ${tokenFile}.`, {
        hint: 'Run the tests as the user who started `fhe dev up`, or decrypt through userDecrypt*/publicDecrypt*.',
        cause,
      });
    }
    const response = await fetch(new URL(`fhekit/${route}`, `${record.apiUrl.replace(/\/+$/, '')}/`), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // The stack's KMS waits (bounded by its --decrypt-timeout) for handles still computing.
      signal: AbortSignal.timeout(DEBUGGER_TIMEOUT_MS),
    });
    const answer = (await response.json()) as { error?: { code?: string; message?: string } };
    if (!response.ok) {
      throw new FhekitError(
        answer.error?.code ?? 'FHE_DEBUGGER_FAILED',
        `fhevm.debugger on the stack at ${record.apiUrl}: ${answer.error?.message ?? `HTTP ${response.status}`}`,
        { hint: 'See the stack log (`<state-dir>/fhekit.log`).' },
      );
    }
    return answer;
  };
  return {
    sdkConfig: {
      aclContractAddress: HOST_ADDRESSES.acl,
      kmsContractAddress: HOST_ADDRESSES.kmsVerifier,
      inputVerifierContractAddress: HOST_ADDRESSES.inputVerifier,
      verifyingContractAddressDecryption: decryption,
      verifyingContractAddressInputVerification: inputVerification,
      chainId,
      gatewayChainId,
      relayerUrl: record.apiUrl,
    },
    addresses: {
      acl: HOST_ADDRESSES.acl,
      executor: HOST_ADDRESSES.executor,
      kmsVerifier: HOST_ADDRESSES.kmsVerifier,
    },
    // The stack's KMS waits (bounded) for handles still computing.
    waitForHandles: async () => {},
    debugDecrypt: async (handle) => {
      const { values } = (await debuggerCall('debug-decrypt', { ciphertextHandles: [handle] })) as {
        values: string[];
      };
      return BigInt(values[0]!);
    },
    signDecryption: async (handles, values) => {
      const body = { ciphertextHandles: handles, values: values.map(String) };
      return ((await debuggerCall('sign-decryption', body)) as { signatures: Hex[] }).signatures;
    },
    report: async () => ({
      ...totalsSince(totalsAtStart, await readStackTotals(record.metricsUrl)),
      compute: record.compute,
    }),
    stop: async () => {},
  };
}
