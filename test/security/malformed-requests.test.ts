import fc from 'fast-check';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, type AttackStack, type Json, startAttackStack } from './attack-stack.js';

/**
 * Malformed requests to every POST route of one real stack: each is answered 4xx with a typed error
 * (a stable `code`), and none changes the coprocessor database. A table of known-bad bodies, then
 * property-based fuzzing (random bytes, random JSON, valid bodies with fields replaced by random JSON).
 */
describe('malformed requests to every route', () => {
  let s: AttackStack;
  let digest: string;
  let valid: Record<string, Json>;
  const ROUTES = [
    '/input-proof',
    '/v1/input-proof',
    '/public-decrypt',
    '/v1/public-decrypt',
    '/user-decrypt',
    '/v1/user-decrypt',
    '/delegated-user-decrypt',
    '/v1/delegated-user-decrypt',
    '/fhekit/user-decrypt',
    '/fhekit/direct-input',
  ] as const;
  type Route = (typeof ROUTES)[number];
  const kind = (route: Route) => route.replace(/^\/(v1|fhekit)\//, '/');

  beforeAll(async () => {
    s = await startAttackStack();
    const user = await s.userDecryptBody(s.user, [s.balance]);
    valid = {
      '/input-proof': {
        contractChainId: String(s.stack.chain.chainId),
        contractAddress: s.token,
        userAddress: s.user.address,
        ciphertextWithInputVerification: 'c0ffee',
        extraData: '0x00',
      },
      '/public-decrypt': { ciphertextHandles: [s.balance], extraData: '0x00' },
      '/user-decrypt': user,
      '/delegated-user-decrypt': await s.delegatedBody(s.other, s.user.address, [s.balance]),
      // Refused as a whole on this stack (no --inputs direct), after the body checks.
      '/direct-input': {
        values: [{ type: 2, value: '7' }],
        contractChainId: String(s.stack.chain.chainId),
        contractAddress: s.token,
        userAddress: s.user.address,
      },
    };
    digest = s.dbDigest();
  });
  afterAll(() => s?.stop());

  /** The clear-text route is attacked by the token holder: the token is not what is tested here. */
  const send = (route: Route, body: unknown): Promise<Answer> =>
    s.answer(route, body, route.startsWith('/fhekit/') ? { Authorization: `Bearer ${s.apiToken}` } : {});

  function expectTypedRefusal(route: Route, body: unknown, answer: Answer, status?: number) {
    const seen = { route, body: String(JSON.stringify(body)).slice(0, 200), status: answer.status };
    if (status !== undefined) expect(seen).toEqual({ ...seen, status });
    expect(seen.status >= 400 && seen.status < 500, JSON.stringify({ ...seen, answer: answer.body })).toBe(
      true,
    );
    expect(answer.body.status).toBe('failed');
    expect(answer.body.error?.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  }

  const handleOnChain = (chainId: bigint, prefix = '11'): Hex =>
    `0x${prefix.repeat(21)}ff${chainId.toString(16).padStart(16, '0')}0500`;

  it('answers known-bad bodies with a 4xx and a typed error code', async () => {
    const generic: [string, unknown][] = [
      ['empty', ''],
      ['truncated JSON', '{"ciphertextHandles": ['],
      ['null', 'null'],
      ['array', '[]'],
      ['number', '42'],
      ['string', '"hello"'],
      ['empty object', {}],
      ['prototype pollution', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}'],
      ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')],
    ];
    const hostChain = BigInt(s.stack.chain.chainId);
    const specific: Record<string, [string, Json][]> = {
      '/input-proof': [
        ['non-hex ciphertext', { ciphertextWithInputVerification: 'zz' }],
        ['not a proof', { ciphertextWithInputVerification: 'c0ffee' }],
        ['empty proof', { ciphertextWithInputVerification: '0x' }],
        ['negative chain id', { contractChainId: '-1' }],
        ['foreign chain id', { contractChainId: '1' }],
        ['huge chain id', { contractChainId: '9'.repeat(400) }],
        ['bad address', { contractAddress: 'alice' }],
        ['number address', { userAddress: 7 }],
        ['object extraData', { extraData: { a: 1 } }],
      ],
      '/public-decrypt': [
        ['handles not an array', { ciphertextHandles: 'x' }],
        ['no handles', { ciphertextHandles: [] }],
        ['number handle', { ciphertextHandles: [1] }],
        ['short handle', { ciphertextHandles: ['0x12'] }],
        ['non-hex handle', { ciphertextHandles: [`0x${'zz'.repeat(32)}`] }],
        ['foreign chain handle', { ciphertextHandles: [handleOnChain(1n)] }],
        ['unknown handle', { ciphertextHandles: [handleOnChain(hostChain)] }],
        ['too many bits', { ciphertextHandles: Array.from({ length: 40 }, () => s.balance) }],
      ],
      '/user-decrypt': [
        ...Object.keys(valid['/user-decrypt']).map((field): [string, Json] => [
          `without ${field}`,
          { [field]: undefined },
        ]),
        ['pairs not objects', { handleContractPairs: [null, 3] }],
        ['pair without handle', { handleContractPairs: [{ contractAddress: s.token }] }],
        ['validity not an object', { requestValidity: 'soon' }],
        ['negative duration', { requestValidity: { startTimestamp: '1', durationDays: '-1' } }],
        ['zero duration', { requestValidity: { startTimestamp: '1', durationDays: '0' } }],
        ['contracts not an array', { contractAddresses: s.token }],
        ['11 contracts', { contractAddresses: Array.from({ length: 11 }, () => s.token) }],
        ['short signature', { signature: 'abcd' }],
        ['garbage publicKey', { publicKey: 'abcdef' }],
        ['huge duration', { requestValidity: { startTimestamp: '1', durationDays: '9'.repeat(100) } }],
      ],
      '/delegated-user-decrypt': [
        ...Object.keys(valid['/delegated-user-decrypt']).map((field): [string, Json] => [
          `without ${field}`,
          { [field]: undefined },
        ]),
        ['bad delegator', { delegatorAddress: 'bob' }],
        ['string duration', { durationDays: 'forever' }],
      ],
      '/direct-input': [
        ['values not an array', { values: 'x' }],
        ['unknown type', { values: [{ type: 1, value: '1' }] }],
        ['negative value', { values: [{ type: 2, value: '-1' }] }],
        ['value not a number', { values: [{ type: 2, value: 'ten' }] }],
        ['entry not an object', { values: [7] }],
        ['valid, on a stack without direct inputs', {}],
      ],
    };
    for (const route of ROUTES) {
      for (const [, body] of generic) expectTypedRefusal(route, body, await send(route, body));
      for (const [, change] of specific[kind(route)]) {
        const body = { ...valid[kind(route)], ...change };
        expectTypedRefusal(route, body, await send(route, body));
      }
      const oversized = { ...valid[kind(route)], padding: 'a'.repeat(1024 * 1024 + 1) };
      expectTypedRefusal(route, '(oversized)', await send(route, oversized), 413);
    }
    expect(s.dbDigest()).toBe(digest);
  });

  it('refuses a correctly signed user-decrypt whose ML-KEM publicKey is malformed with a 400, not a 500', async () => {
    for (const publicKey of ['0xabcdef', `0x${'00'.repeat(900)}`] as Hex[]) {
      const body = await s.userDecryptBody(s.user, [s.balance], publicKey);
      for (const route of ['/user-decrypt', '/v1/user-decrypt'] as const) {
        const answer = await send(route, body);
        expectTypedRefusal(route, body, answer, 400);
        expect(answer.body.error?.code).toBe('KMS_BAD_PUBLIC_KEY');
      }
    }
    expect(s.dbDigest()).toBe(digest);
  });

  it('fuzzing: random bytes and random JSON never get a 5xx, and never change the database', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (route, text) => {
        expectTypedRefusal(route, text, await send(route, text));
      }),
      { numRuns: 150, seed: 10 },
    );
    expect(s.dbDigest()).toBe(digest);
  });

  it('fuzzing: valid bodies with fields replaced by random JSON never get a 5xx, and never change the database', async () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('hex')),
      fc.constantFrom('0x', '0x00', s.balance, s.token, '-1', '1e400', '0xffffffffffffffffffffffffffffffff'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.array(fc.tuple(fc.nat(), value), { minLength: 1, maxLength: 3 }),
        async (route, replacements) => {
          const body: Json = { ...valid[kind(route)] };
          const fields = Object.keys(body);
          for (const [index, replacement] of replacements) body[fields[index % fields.length]] = replacement;
          const answer = await send(route, body);
          expect(answer.status, JSON.stringify({ route, body, answer: answer.body })).toBeLessThan(500);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
    expect(s.dbDigest()).toBe(digest);
  });
});
