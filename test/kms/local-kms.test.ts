import { setTimeout as realSleep } from 'node:timers/promises';
import { FhevmHandle, KmsSignersVerifier } from '@zama-fhe/relayer-sdk/node';
import {
  type Address,
  concat,
  encodeAbiParameters,
  getAddress,
  type Hex,
  numberToHex,
  recoverTypedDataAddress,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import type { AclReader } from '../../src/kms/acl-reader.js';
import type { CiphertextSource } from '../../src/kms/ciphertext-source.js';
import {
  DELEGATED_USER_DECRYPT_REQUEST_TYPES,
  publicDecryptTypedData,
  USER_DECRYPT_REQUEST_TYPES,
} from '../../src/kms/kms-eip712.js';
import { createLocalKms, type LocalKms, type UserDecryptRequest } from '../../src/kms/local-kms.js';
import { encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { loadTestKeys } from '../inputs/helpers/test-keys.js';

const HOST_CHAIN_ID = 31337n;
const DOMAIN = {
  gatewayChainId: 10901n,
  decryptionAddress: getAddress('0x5ffdaAB0373E62E2ea2944776209aEf29E631A64'),
};
const CONTRACT: Address = '0x1111111111111111111111111111111111111111';
let nextHandle = 1;

/** A computed-handle-shaped id of the given type on the host chain. */
function handleOf(type: FheType): Hex {
  return concat([
    numberToHex(nextHandle++, { size: 21 }),
    '0xff',
    numberToHex(HOST_CHAIN_ID, { size: 8 }),
    numberToHex(type, { size: 1 }),
    '0x00',
  ]);
}

/** In-memory stand-ins for the ACL contract and the coprocessor store (both tested on their own). */
class Fakes implements AclReader, CiphertextSource {
  readonly ciphertexts = new Map<Hex, { type: FheType; bytes: Uint8Array }>();
  readonly pending = new Set<Hex>();
  readonly failed = new Set<Hex>();
  readonly decryptable = new Set<Hex>();
  readonly allowed = new Set<string>();
  readonly delegated = new Set<string>();
  async isAllowedForDecryption(handle: Hex) {
    return this.decryptable.has(handle);
  }
  async persistAllowed(handle: Hex, account: Address) {
    return this.allowed.has(`${handle}:${account.toLowerCase()}`);
  }
  async isHandleDelegatedForUserDecryption(
    delegator: Address,
    delegate: Address,
    contract: Address,
    handle: Hex,
  ) {
    return this.delegated.has(`${delegator}:${delegate}:${contract}:${handle}`.toLowerCase());
  }
  async getCiphertext(handle: Hex) {
    return this.ciphertexts.get(handle) ?? null;
  }
  async computationsFor(handle: Hex) {
    if (this.failed.has(handle)) return [{ status: 'error' as const, error: 'engine said no' }];
    return this.pending.has(handle) || this.ciphertexts.has(handle)
      ? [{ status: 'pending' as const, error: null }]
      : [];
  }
  async counts() {
    return { computations: { pending: this.pending.size }, ready: 0 };
  }
  allow(handle: Hex, ...accounts: Address[]) {
    for (const account of accounts) this.allowed.add(`${handle}:${account.toLowerCase()}`);
  }
}

async function codeOf(run: Promise<unknown>): Promise<string | undefined> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isFhekitError(error) ? error.code : `not a FhekitError: ${String(error)}`;
}

describe('local KMS (real ciphertexts, in-memory ACL)', () => {
  const kmsSigner = privateKeyToAccount(generatePrivateKey());
  const user = privateKeyToAccount(generatePrivateKey());
  const delegate = privateKeyToAccount(generatePrivateKey());
  const keys = loadTestKeys();
  const fakes = new Fakes();
  const u8 = handleOf(FheType.Uint8);
  const bool = handleOf(FheType.Bool);
  const address = handleOf(FheType.Uint160);
  let kms: LocalKms;

  beforeAll(() => {
    fakes.ciphertexts.set(u8, {
      type: FheType.Uint8,
      bytes: encryptWithClientKey(FheType.Uint8, 42n, keys.clientKey),
    });
    fakes.ciphertexts.set(bool, {
      type: FheType.Bool,
      bytes: encryptWithClientKey(FheType.Bool, 1n, keys.clientKey),
    });
    fakes.ciphertexts.set(address, {
      type: FheType.Uint160,
      bytes: encryptWithClientKey(FheType.Uint160, BigInt(user.address), keys.clientKey),
    });
    kms = createLocalKms({
      hostChainId: HOST_CHAIN_ID,
      domain: DOMAIN,
      signers: [kmsSigner],
      clientKey: keys.clientKey,
      acl: fakes,
      ciphertexts: fakes,
      waitTimeoutMs: 1500,
    });
  });

  it('public-decrypts allowed handles into abi.encode(values) signed by the KMS signer', async () => {
    fakes.decryptable.add(u8).add(bool).add(address);
    const result = await kms.publicDecrypt([u8, bool, address]);
    expect(result.values).toEqual([42n, 1n, BigInt(user.address)]);
    expect(result.decryptedResult).toBe(
      encodeAbiParameters(
        [{ type: 'uint8' }, { type: 'bool' }, { type: 'address' }],
        [42, true, user.address],
      ),
    );
    const recovered = await recoverTypedDataAddress({
      ...publicDecryptTypedData(DOMAIN, [u8, bool, address], result.decryptedResult),
      signature: result.signatures[0],
    });
    expect(recovered).toBe(kmsSigner.address);
    // The SDK's own verifier accepts the signatures (this is what publicDecrypt() checks client-side).
    KmsSignersVerifier.fromAddresses({
      kmsSigners: [kmsSigner.address],
      threshold: 1,
      chainId: DOMAIN.gatewayChainId,
      verifyingContractAddressDecryption: DOMAIN.decryptionAddress,
    }).verifyPublicDecrypt({
      orderedHandles: [u8, bool, address].map((h) => FhevmHandle.fromBytes32Hex(h)),
      orderedDecryptedResult: result.decryptedResult,
      signatures: result.signatures,
      extraData: '0x',
    });
  });

  it('refuses handles not allowed for decryption, and malformed or foreign handles', async () => {
    const secret = handleOf(FheType.Uint8);
    fakes.ciphertexts.set(secret, fakes.ciphertexts.get(u8)!);
    expect(await codeOf(kms.publicDecrypt([secret]))).toBe('KMS_NOT_ALLOWED_FOR_DECRYPTION');
    expect(await codeOf(kms.publicDecrypt([handleOf(FheType.Uint8)]))).toBe('KMS_UNKNOWN_HANDLE');
    expect(await codeOf(kms.publicDecrypt(['0x1234']))).toBe('FHE_HANDLE_MALFORMED');
    const foreign = `${u8.slice(0, 46)}0000000000000001${u8.slice(62)}` as Hex;
    expect(await codeOf(kms.publicDecrypt([foreign]))).toBe('KMS_WRONG_CHAIN');
  });

  it('waits for a handle still being computed or not yet seen, then names it unknown or not ready; fails fast on a failed computation', async () => {
    const late = handleOf(FheType.Uint8);
    fakes.decryptable.add(late);
    fakes.pending.add(late);
    setTimeout(() => fakes.ciphertexts.set(late, fakes.ciphertexts.get(u8)!), 300);
    expect((await kms.publicDecrypt([late])).values).toEqual([42n]);

    const never = handleOf(FheType.Uint8);
    fakes.decryptable.add(never);
    fakes.pending.add(never);
    await expect(kms.publicDecrypt([never])).rejects.toMatchObject({
      code: 'KMS_CIPHERTEXT_NOT_READY',
      message: expect.stringContaining('computation is pending'),
    });

    const failed = handleOf(FheType.Uint8);
    fakes.decryptable.add(failed);
    fakes.failed.add(failed);
    const started = Date.now();
    expect(await codeOf(kms.publicDecrypt([failed]))).toBe('KMS_COMPUTATION_FAILED');
    expect(Date.now() - started).toBeLessThan(1000);

    const unknown = handleOf(FheType.Uint8);
    fakes.decryptable.add(unknown);
    expect(await codeOf(kms.publicDecrypt([unknown]))).toBe('KMS_UNKNOWN_HANDLE');
  });

  describe('with the default wait', () => {
    afterEach(() => vi.useRealTimers());

    it('keeps waiting minutes for a handle queued behind slow computations (not a fixed 30 s)', async () => {
      const patient = createLocalKms({
        hostChainId: HOST_CHAIN_ID,
        domain: DOMAIN,
        signers: [kmsSigner],
        clientKey: keys.clientKey,
        acl: fakes,
        ciphertexts: fakes,
      });
      const queued = handleOf(FheType.Uint8);
      fakes.decryptable.add(queued);
      fakes.pending.add(queued);
      vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
      const outcome = patient.publicDecrypt([queued]).then(
        (result) => result.values,
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      await realSleep(300); // a poller that had given up would have rejected by now
      fakes.ciphertexts.set(queued, fakes.ciphertexts.get(u8)!);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await outcome).toEqual([42n]);
    });
  });

  describe('user decryption', () => {
    const publicKey: Hex = '0xabcdef';
    const now = () => BigInt(Math.floor(Date.now() / 1000));
    async function signedRequest(overrides: Partial<UserDecryptRequest> = {}): Promise<UserDecryptRequest> {
      const base = {
        handleContractPairs: [{ handle: u8, contractAddress: CONTRACT }],
        contractsChainId: HOST_CHAIN_ID,
        contractAddresses: [CONTRACT],
        userAddress: user.address,
        publicKey,
        startTimestamp: now(),
        durationDays: 1n,
        extraData: '0x00' as Hex,
        ...overrides,
      };
      const signature = await user.signTypedData({
        domain: {
          name: 'Decryption',
          version: '1',
          chainId: HOST_CHAIN_ID,
          verifyingContract: DOMAIN.decryptionAddress,
        },
        types: USER_DECRYPT_REQUEST_TYPES,
        primaryType: 'UserDecryptRequestVerification',
        message: { ...base, contractAddresses: [...base.contractAddresses] },
      });
      return { ...base, signature, ...overrides };
    }

    it('decrypts for a user the ACL allows together with the contract', async () => {
      fakes.allow(u8, user.address, CONTRACT);
      expect(await kms.userDecrypt(await signedRequest())).toEqual({ handles: [u8], values: [42n] });
    });

    it('refuses a bad signature, an expired or future request, and handles the ACL does not allow', async () => {
      fakes.allow(bool, user.address);
      const forged = { ...(await signedRequest()), userAddress: delegate.address };
      expect(await codeOf(kms.userDecrypt(forged))).toBe('KMS_BAD_USER_SIGNATURE');
      expect(
        await codeOf(kms.userDecrypt(await signedRequest({ startTimestamp: now() - 2n * 86_400n }))),
      ).toBe('KMS_REQUEST_EXPIRED');
      expect(await codeOf(kms.userDecrypt(await signedRequest({ startTimestamp: now() + 3600n })))).toBe(
        'KMS_BAD_VALIDITY',
      );
      const contractNotAllowed = await signedRequest({
        handleContractPairs: [{ handle: bool, contractAddress: CONTRACT }],
      });
      expect(await codeOf(kms.userDecrypt(contractNotAllowed))).toBe('KMS_NOT_ALLOWED');

      // With the coprocessor's record of ACL events, the refusal says whom the handle was allowed to.
      const explaining = createLocalKms({
        hostChainId: HOST_CHAIN_ID,
        domain: DOMAIN,
        signers: [kmsSigner],
        clientKey: keys.clientKey,
        acl: fakes,
        ciphertexts: fakes,
        aclHistory: {
          allowedRows: async (h) =>
            h === bool ? [{ account: user.address.toLowerCase() as Hex, eventType: 0, blockNumber: 7 }] : [],
          delegations: async () => [],
        },
      });
      const refused = await explaining.userDecrypt(contractNotAllowed).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'KMS_NOT_ALLOWED' });
      expect((refused as { hint: string }).hint).toContain(
        `ACL events of this stack: allowed to ${user.address}.`,
      );
    });

    it('refuses a malformed ML-KEM publicKey with a typed error before decrypting anything', async () => {
      fakes.allow(u8, user.address, CONTRACT);
      const started = Date.now();
      // A handle that never gets a ciphertext: had the KMS decrypted first, this would wait for it.
      const queued = handleOf(FheType.Uint8);
      fakes.pending.add(queued);
      fakes.allow(queued, user.address, CONTRACT);
      for (const bad of ['0xabcdef', '0x', `0x${'00'.repeat(900)}`] as Hex[]) {
        const request = await signedRequest({
          publicKey: bad,
          handleContractPairs: [{ handle: queued, contractAddress: CONTRACT }],
        });
        expect(await codeOf(kms.userDecryptShares(request))).toBe('KMS_BAD_PUBLIC_KEY');
      }
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('decrypts for a delegate only when the ACL records the delegation', async () => {
      fakes.allow(u8, user.address, CONTRACT);
      const base = {
        handleContractPairs: [{ handle: u8, contractAddress: CONTRACT }],
        contractsChainId: HOST_CHAIN_ID,
        contractAddresses: [CONTRACT],
        userAddress: delegate.address,
        delegatorAddress: user.address,
        publicKey,
        startTimestamp: now(),
        durationDays: 1n,
        extraData: '0x00' as Hex,
      };
      const signature = await delegate.signTypedData({
        domain: {
          name: 'Decryption',
          version: '1',
          chainId: HOST_CHAIN_ID,
          verifyingContract: DOMAIN.decryptionAddress,
        },
        types: DELEGATED_USER_DECRYPT_REQUEST_TYPES,
        primaryType: 'DelegatedUserDecryptRequestVerification',
        message: { ...base, contractAddresses: [...base.contractAddresses] },
      });
      expect(await codeOf(kms.userDecrypt({ ...base, signature }))).toBe('KMS_NOT_DELEGATED');
      fakes.delegated.add(`${user.address}:${delegate.address}:${CONTRACT}:${u8}`.toLowerCase());
      expect((await kms.userDecrypt({ ...base, signature })).values).toEqual([42n]);
    });
  });
});
