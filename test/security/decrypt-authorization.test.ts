import { encodeAbiParameters, type Hex, recoverTypedDataAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aclAbi } from '../../src/chain/abis.js';
import { signUserDecryptRequest } from '../../src/client/stack-client.js';
import { publicDecryptTypedData } from '../../src/kms/kms-eip712.js';
import { until } from '../coprocessor/helpers.js';
import { type AttackStack, MINTED, startAttackStack } from './attack-stack.js';

/** Every decrypt route on one real stack, attacked: replays, missing ACL rights, delegations, tampered signatures. */
describe('decryption authorization under attack', () => {
  let s: AttackStack;
  let digest: string;
  /** The body the real SDK sent to `user-decrypt`, captured on the wire (what a proxy log or HAR file holds). */
  let captured: string;

  beforeAll(async () => {
    s = await startAttackStack();
    const { publicKey, privateKey } = s.sdk.generateKeypair();
    const startTimestamp = Math.floor(Date.now() / 1000);
    const eip712 = s.sdk.createEIP712(publicKey, [s.token], startTimestamp, 1);
    const signature = await signUserDecryptRequest(s.user, eip712);
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/user-decrypt')) captured = String(init.body);
      return realFetch(input, init);
    });
    try {
      const clear = await s.sdk.userDecrypt(
        [{ handle: s.balance, contractAddress: s.token }],
        privateKey,
        publicKey,
        signature,
        [s.token],
        s.user.address,
        startTimestamp,
        1,
      );
      expect(clear[s.balance]).toBe(MINTED);
    } finally {
      spy.mockRestore();
    }
    expect(captured).toContain(s.balance.slice(2));
    digest = s.dbDigest();
  });
  afterAll(() => s?.stop());

  const call = (path: string, body: unknown, headers?: Record<string, string>) =>
    s.answer(path, body, headers);

  it('a captured SDK user-decrypt replayed to the clear-text route gets no plaintext without the stack token', async () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { Authorization: 'Bearer 00' },
      { Authorization: `Bearer ${s.apiToken.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}` },
      { Authorization: `Basic ${s.apiToken}` },
    ]) {
      const replay = await call('/fhekit/user-decrypt', captured, headers);
      expect(replay.status).toBe(401);
      expect(replay.body.error?.code).toBe('RELAYER_UNAUTHORIZED');
      expect(JSON.stringify(replay.body)).not.toContain(String(MINTED));
    }
    // The local user (who can read <state-dir>/api-token) still gets plaintexts.
    const owner = await call('/fhekit/user-decrypt', captured, { Authorization: `Bearer ${s.apiToken}` });
    expect(owner.status).toBe(200);
    expect(owner.body.result).toEqual({ plaintexts: [{ handle: s.balance, value: String(MINTED) }] });
  });

  it('the same replay to the SDK routes only yields shares signcrypted to the victim’s ML-KEM key', async () => {
    for (const path of ['/user-decrypt', '/v2/user-decrypt', '/v1/user-decrypt']) {
      const replay = await call(path, captured);
      expect(replay.status).toBe(200);
      expect(JSON.stringify(replay.body)).not.toMatch(/plaintext|"value"/);
    }
  });

  it('refuses public decryption of a handle that is not publicly decryptable', async () => {
    for (const path of ['/public-decrypt', '/v1/public-decrypt']) {
      const refused = await call(path, { ciphertextHandles: [s.balance], extraData: '0x00' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        label: 'not_allowed_on_host_acl',
        code: 'KMS_NOT_ALLOWED_FOR_DECRYPTION',
      });
    }
  });

  it('refuses a user the ACL does not allow, even with a valid signature of their own', async () => {
    const body = await s.userDecryptBody(s.other, [s.balance]);
    for (const path of ['/v1/user-decrypt', '/user-decrypt']) {
      expect((await call(path, body)).body.error?.code).toBe('KMS_NOT_ALLOWED');
    }
    const direct = await call('/fhekit/user-decrypt', body, { Authorization: `Bearer ${s.apiToken}` });
    expect(direct.body.error?.code).toBe('KMS_NOT_ALLOWED');
  });

  it("keeps the Hardhat debugger's routes (clear values without the ACL, KMS signatures) to the token holder", async () => {
    const decryptBody = { ciphertextHandles: [s.otherBalance] };
    const signBody = { ciphertextHandles: [s.balance], values: ['7'] };
    for (const [path, body] of [
      ['/fhekit/debug-decrypt', decryptBody],
      ['/fhekit/sign-decryption', signBody],
    ] as const) {
      const refused = await call(path, body, { Authorization: 'Bearer 00' });
      expect(refused.status).toBe(401);
      expect(refused.body.error?.code).toBe('RELAYER_UNAUTHORIZED');
    }
    const owner = { Authorization: `Bearer ${s.apiToken}` };
    // The token holder is the developer of this local stack: any handle, whoever the ACL allows.
    const decrypted = await call('/fhekit/debug-decrypt', { ciphertextHandles: [s.balance] }, owner);
    expect(decrypted.body).toEqual({ values: [String(MINTED)] });
    const signed = await call('/fhekit/sign-decryption', signBody, owner);
    expect(signed.status).toBe(200);
    const { gateway, signers } = s.stack.chain;
    const typedData = publicDecryptTypedData(
      { gatewayChainId: BigInt(gateway.chainId), decryptionAddress: gateway.decryption },
      [s.balance],
      encodeAbiParameters([{ type: 'uint256' }], [7n]),
    );
    const signatures = signed.body.signatures as Hex[];
    expect(await recoverTypedDataAddress({ ...typedData, signature: signatures[0]! })).toBe(
      signers.kms.address,
    );
    const mismatched = await call('/fhekit/sign-decryption', { ...signBody, values: [] }, owner);
    expect(mismatched.status).toBe(400);
  });

  it('refuses every tampered field of a signed user-decrypt request', async () => {
    const base = await s.userDecryptBody(s.user, [s.balance]);
    expect((await call('/v1/user-decrypt', base)).status).toBe(200);
    const signature = base.signature as string;
    const tampered: [string, Record<string, unknown>, string][] = [
      ['publicKey', { publicKey: s.sdk.generateKeypair().publicKey }, 'KMS_BAD_USER_SIGNATURE'],
      ['contractAddresses', { contractAddresses: [s.token, s.other.address] }, 'KMS_BAD_USER_SIGNATURE'],
      [
        'startTimestamp',
        { requestValidity: { ...(base.requestValidity as object), startTimestamp: '1' } },
        'KMS_REQUEST_EXPIRED',
      ],
      [
        'startTimestamp (later)',
        {
          requestValidity: {
            ...(base.requestValidity as object),
            startTimestamp: String(
              Number((base.requestValidity as { startTimestamp: string }).startTimestamp) - 1,
            ),
          },
        },
        'KMS_BAD_USER_SIGNATURE',
      ],
      [
        'durationDays',
        { requestValidity: { ...(base.requestValidity as object), durationDays: '2' } },
        'KMS_BAD_USER_SIGNATURE',
      ],
      ['extraData', { extraData: '0x01' }, 'KMS_BAD_USER_SIGNATURE'],
      ['userAddress', { userAddress: s.other.address }, 'KMS_BAD_USER_SIGNATURE'],
      ['contractsChainId', { contractsChainId: '1' }, 'KMS_WRONG_CHAIN'],
      [
        'signature',
        { signature: `${signature.slice(0, 10)}${signature[10] === '0' ? '1' : '0'}${signature.slice(11)}` },
        'KMS_BAD_USER_SIGNATURE',
      ],
      [
        'handleContractPairs',
        { handleContractPairs: [{ handle: s.otherBalance, contractAddress: s.token }] },
        'KMS_NOT_ALLOWED',
      ],
    ];
    for (const [field, change, code] of tampered) {
      for (const path of ['/v1/user-decrypt', '/user-decrypt']) {
        const refused = await call(path, { ...base, ...change });
        expect({ field, path, status: refused.status, code: refused.body.error?.code }).toEqual({
          field,
          path,
          status: 400,
          code,
        });
      }
    }
  });

  it('refuses delegated decryption without a delegation, and after its revocation', async () => {
    const delegate = privateKeyToAccount(generatePrivateKey());
    const body = await s.delegatedBody(delegate, s.user.address, [s.balance]);
    expect((await call('/v1/delegated-user-decrypt', body)).body.error?.code).toBe('KMS_NOT_DELEGATED');

    await acl('delegateForUserDecryption', [delegate.address, s.token, (await chainNow()) + 7200n]);
    expect((await call('/v1/delegated-user-decrypt', body)).status).toBe(200);
    // A delegation to someone else does not let the delegate speak for another delegator.
    const forged = await s.delegatedBody(delegate, s.other.address, [s.otherBalance]);
    expect((await call('/v1/delegated-user-decrypt', forged)).body.error?.code).toBe('KMS_NOT_DELEGATED');
    // Tampering with the signed delegator is a bad signature.
    expect(
      (await call('/v1/delegated-user-decrypt', { ...body, delegatorAddress: s.other.address })).body.error
        ?.code,
    ).toBe('KMS_BAD_USER_SIGNATURE');

    await acl('revokeDelegationForUserDecryption', [delegate.address, s.token]);
    for (const path of ['/v1/delegated-user-decrypt', '/delegated-user-decrypt']) {
      const refused = await call(path, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe('KMS_NOT_DELEGATED');
    }
  });

  it('refuses delegated decryption after the delegation expired', async () => {
    const delegate = privateKeyToAccount(generatePrivateKey());
    await acl('delegateForUserDecryption', [delegate.address, s.token, (await chainNow()) + 3700n]);
    const body = await s.delegatedBody(delegate, s.user.address, [s.balance]);
    expect((await call('/v1/delegated-user-decrypt', body)).status).toBe(200);
    await s.stack.chain.testClient.increaseTime({ seconds: 7200 });
    await s.stack.chain.testClient.mine({ blocks: 1 });
    const refused = await call('/v1/delegated-user-decrypt', body);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('KMS_NOT_DELEGATED');
  });

  it('left the coprocessor database as it was (but for the delegation events of the ACL transactions)', () => {
    expect(s.dbDigest()).toBe(digest);
  });

  async function chainNow(): Promise<bigint> {
    return (await s.stack.chain.publicClient.getBlock()).timestamp;
  }

  async function acl(
    functionName: 'delegateForUserDecryption' | 'revokeDelegationForUserDecryption',
    args: readonly unknown[],
  ) {
    const hash = await s.stack.chain.walletClient.writeContract({
      address: s.stack.chain.addresses.acl,
      abi: aclAbi,
      functionName,
      args,
    } as never);
    const receipt = await s.stack.chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    // The listener records the delegation event: that change is legitimate, a request's is not.
    await until(
      async () =>
        ((await s.stack.coprocessor.store.getCursor())?.number ?? -1) >= Number(receipt.blockNumber),
    );
    digest = s.dbDigest();
  }
});
