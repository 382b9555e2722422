import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstance, type FhevmInstance, type FhevmInstanceConfig } from '@zama-fhe/relayer-sdk/node';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Address, Hex, LocalAccount } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ANVIL_MNEMONIC } from '../../src/chain/start-chain.js';
import { waitForCiphertexts } from '../../src/kms/ciphertext-source.js';
import {
  DELEGATED_USER_DECRYPT_REQUEST_TYPES,
  USER_DECRYPT_REQUEST_TYPES,
} from '../../src/kms/kms-eip712.js';
import { API_TOKEN_FILE_NAME } from '../../src/stack/api-token.js';
import { type Stack, startStack } from '../../src/stack/start-stack.js';
import { deployFixture, transact } from '../chain/fixture-chain.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

export type Json = Record<string, unknown>;
export interface Answer {
  status: number;
  body: { status?: string; error?: { label?: string; code?: string; message?: string } } & Json;
}

/** Listener progress (new blocks) is not something a request may change, so it is left out of the digest. */
const LISTENER_TABLES = new Set(['blocks', 'listener_cursor']);

/**
 * One whole stack to attack: a ConfidentialToken whose balances are private (allowed to their owner and
 * the token, not publicly decryptable), minted to two accounts, every ciphertext computed.
 */
export interface AttackStack {
  stack: Stack;
  sdk: FhevmInstance;
  token: Address;
  /** The deployer (account #0): owns `balance`. */
  user: LocalAccount;
  /** Account #1: owns `otherBalance`, and is not allowed on `balance`. */
  other: LocalAccount;
  balance: Hex;
  otherBalance: Hex;
  apiToken: string;
  /** sha256 over every row of the coprocessor database (but the listener's block bookkeeping). */
  dbDigest(): string;
  /** POSTs `body` (a string as is); a v2 202 is polled like the SDK does until it is answered. */
  answer(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** A user-decrypt body (the SDK's v2 shape) signed by `signer` for `handles` of the token (and `publicKey`). */
  userDecryptBody(signer: LocalAccount, handles: readonly Hex[], publicKey?: Hex): Promise<Json>;
  /** A delegated-user-decrypt body signed by `delegate` on behalf of `delegator`. */
  delegatedBody(delegate: LocalAccount, delegator: Address, handles: readonly Hex[]): Promise<Json>;
  stop(): Promise<void>;
}

export const MINTED = 1234n;

export async function startAttackStack(): Promise<AttackStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-security-'));
  const stack = await startStack({ stateDir, keysDir: TEST_KEYS_DIR, logger: pino({ level: 'silent' }) });
  try {
    const user = stack.chain.deployer;
    const other = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 });
    const deployed = await deployFixture(stack.chain, 'ConfidentialToken', ['Test', 'TST']);
    await transact(stack.chain, deployed, 'mint', [user.address, MINTED]);
    await transact(stack.chain, deployed, 'mint', [other.address, 99n]);
    const balanceOf = (account: Address) =>
      stack.chain.publicClient.readContract({
        address: deployed.address,
        abi: deployed.contract.abi,
        functionName: 'confidentialBalanceOf',
        args: [account],
      }) as Promise<Hex>;
    const [balance, otherBalance] = [await balanceOf(user.address), await balanceOf(other.address)];
    await waitForCiphertexts(stack.coprocessor.store, [balance, otherBalance], { timeoutMs: 120_000 });
    const sdk = await createInstance(stack.sdkConfig() as FhevmInstanceConfig);
    const apiToken = readFileSync(join(stateDir, API_TOKEN_FILE_NAME), 'utf8').trim();
    const domain = {
      name: 'Decryption',
      version: '1',
      chainId: BigInt(stack.chain.chainId),
      verifyingContract: stack.chain.gateway.decryption,
    } as const;
    const pairs = (handles: readonly Hex[]) =>
      handles.map((handle) => ({ handle, contractAddress: deployed.address }));

    async function answer(path: string, body: unknown, headers: Record<string, string> = {}) {
      const url = `${stack.relayer.url}${path}`;
      const init = { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
      const posted = await fetch(url, init);
      const read = async (res: Response) => ({
        status: res.status,
        body: (await res.json().catch(() => ({}))) as Answer['body'],
      });
      if (posted.status !== 202) return read(posted);
      const { result } = (await posted.json()) as { result: { jobId: string } };
      for (;;) {
        const polled = await fetch(`${url}/${result.jobId}`);
        if (polled.status !== 202) return read(polled);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    return {
      stack,
      sdk,
      token: deployed.address,
      user,
      other,
      balance,
      otherBalance,
      apiToken,
      dbDigest: () => databaseDigest(join(stateDir, 'coprocessor.db')),
      answer,
      async userDecryptBody(signer, handles, publicKey = `0x${sdk.generateKeypair().publicKey}`) {
        const message = {
          publicKey,
          contractAddresses: [deployed.address],
          startTimestamp: BigInt(Math.floor(Date.now() / 1000)),
          durationDays: 1n,
          extraData: '0x00' as Hex,
        };
        const signature = await signer.signTypedData({
          domain,
          types: USER_DECRYPT_REQUEST_TYPES,
          primaryType: 'UserDecryptRequestVerification',
          message,
        });
        return {
          handleContractPairs: pairs(handles),
          requestValidity: { startTimestamp: String(message.startTimestamp), durationDays: '1' },
          contractsChainId: String(stack.chain.chainId),
          contractAddresses: message.contractAddresses,
          userAddress: signer.address,
          signature: signature.slice(2),
          publicKey: message.publicKey.slice(2),
          extraData: message.extraData,
        };
      },
      async delegatedBody(delegate, delegator, handles) {
        const message = {
          publicKey: `0x${sdk.generateKeypair().publicKey}` as Hex,
          contractAddresses: [deployed.address],
          delegatorAddress: delegator,
          startTimestamp: BigInt(Math.floor(Date.now() / 1000)),
          durationDays: 1n,
          extraData: '0x00' as Hex,
        };
        const signature = await delegate.signTypedData({
          domain,
          types: DELEGATED_USER_DECRYPT_REQUEST_TYPES,
          primaryType: 'DelegatedUserDecryptRequestVerification',
          message,
        });
        return {
          handleContractPairs: pairs(handles),
          contractAddresses: message.contractAddresses,
          delegatorAddress: delegator,
          delegateAddress: delegate.address,
          startTimestamp: String(message.startTimestamp),
          durationDays: '1',
          contractsChainId: String(stack.chain.chainId),
          signature: signature.slice(2),
          publicKey: message.publicKey.slice(2),
          extraData: message.extraData,
        };
      },
      async stop() {
        await stack.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

function databaseDigest(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    for (const table of tables.filter((name) => !LISTENER_TABLES.has(name))) {
      hash.update(`table ${table}\n`);
      for (const row of db.prepare(`SELECT * FROM "${table}"`).raw().iterate()) {
        hash.update(
          JSON.stringify(row, (_key, value) => (Buffer.isBuffer(value) ? value.toString('hex') : value)),
        );
        hash.update('\n');
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}
