import { request } from 'node:http';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhekitError } from '../../src/errors.js';
import type { AcceptedInput, InputRequest, InputService } from '../../src/inputs/input-service.js';
import type { LocalKms, PublicDecryption, UserDecryptRequest } from '../../src/kms/local-kms.js';
import { type RelayerHandle, startRelayer } from '../../src/relayer/server.js';

const HANDLE: Hex = `0x${'ab'.repeat(21)}ff0000000000007a690200`;
const SIGNATURE: Hex = `0x${'11'.repeat(65)}`;
const SHARE = { payload: 'aa55', signature: '11'.repeat(65) };
const CONTRACT = '0x1111111111111111111111111111111111111111';
const USER = '0x2222222222222222222222222222222222222222';
const API_TOKEN = 'c0ffee'.repeat(8);

/** Stand-ins for the input service and the KMS (each tested on its own): they record and answer. */
const calls = {
  inputs: [] as InputRequest[],
  publicDecrypt: [] as string[][],
  userDecrypt: [] as UserDecryptRequest[],
};
let inputOutcome: () => Promise<AcceptedInput>;
let publicOutcome: () => Promise<PublicDecryption>;

const inputs: InputService = {
  acceptInput: async (request) => {
    calls.inputs.push(request);
    return inputOutcome();
  },
  acceptDirectInput: async () => inputOutcome(),
};
const kms: LocalKms = {
  publicDecrypt: async (handles) => {
    calls.publicDecrypt.push([...handles]);
    return publicOutcome();
  },
  userDecrypt: async (request) => {
    calls.userDecrypt.push(request);
    return { handles: [HANDLE], values: [77n] };
  },
  userDecryptShares: async (request) => {
    calls.userDecrypt.push(request);
    return [SHARE];
  },
  debugDecrypt: async (handles) => handles.map(() => 77n),
  signDecryption: async () => [SIGNATURE],
};

const accepted: AcceptedInput = {
  handles: [HANDLE],
  signatures: [SIGNATURE],
  extraData: '0x00',
  timings: { verifyMs: 1, expandMs: 1, signMs: 1 },
};
const decryption: PublicDecryption = {
  handles: [HANDLE],
  values: [77n],
  decryptedResult: `0x${'00'.repeat(31)}4d`,
  signatures: [SIGNATURE],
  extraData: '0x',
};
const inputProofBody = {
  contractChainId: '0x7a69',
  contractAddress: CONTRACT,
  userAddress: USER,
  ciphertextWithInputVerification: 'c0ffee',
  extraData: '0x00',
};
const userDecryptBody = {
  handleContractPairs: [{ handle: HANDLE, contractAddress: CONTRACT }],
  requestValidity: { startTimestamp: '1700000000', durationDays: '1' },
  contractsChainId: '31337',
  contractAddresses: [CONTRACT],
  userAddress: USER,
  signature: SIGNATURE.slice(2),
  publicKey: 'abcd',
  extraData: '0x00',
};

describe('relayer HTTP API', () => {
  let relayer: RelayerHandle;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${relayer.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Runs a v2 job to completion the way the SDK does: POST → 202 + jobId, then GET until not 202. */
  async function runJob(path: string, body: unknown) {
    const queued = await post(path, body);
    expect(queued.status).toBe(202);
    expect(queued.headers.get('Retry-After')).toBe('1');
    const { status, requestId, result } = (await queued.json()) as {
      status: string;
      requestId: string;
      result: { jobId: string };
    };
    expect({ status, requestId }).toEqual({ status: 'queued', requestId: result.jobId });
    for (;;) {
      const polled = await fetch(`${relayer.url}${path}/${result.jobId}`);
      if (polled.status !== 202)
        return { status: polled.status, body: (await polled.json()) as Record<string, unknown> };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    relayer = await startRelayer({
      inputs,
      kms,
      keys: { publicKey: new Uint8Array([1, 2, 3]), crs: new Uint8Array([4, 5]) },
      apiToken: API_TOKEN,
      maxBodyBytes: 4096,
    });
  });
  afterAll(() => relayer?.stop());

  it('serves keyurl in the v2 (camelCase) and v1 (snake_case) shapes, pointing at the key bytes', async () => {
    const v2 = (await (await fetch(`${relayer.url}/keyurl`)).json()) as {
      response: {
        fheKeyInfo: { fhePublicKey: { urls: string[] } }[];
        crs: Record<string, { urls: string[] }>;
      };
    };
    const key = await fetch(v2.response.fheKeyInfo[0].fhePublicKey.urls[0]);
    expect(new Uint8Array(await key.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    const crs = await fetch(v2.response.crs['2048'].urls[0]);
    expect(new Uint8Array(await crs.arrayBuffer())).toEqual(new Uint8Array([4, 5]));

    const v1 = (await (await fetch(`${relayer.urlV1}/keyurl`)).json()) as {
      response: Record<string, unknown>;
    };
    expect(Object.keys(v1.response).sort()).toEqual(['crs', 'fhe_key_info']);
  });

  it('runs input-proof as a v2 job and decodes the SDK body', async () => {
    inputOutcome = async () => accepted;
    const { status, body } = await runJob('/input-proof', inputProofBody);
    expect(status).toBe(200);
    expect(body.status).toBe('succeeded');
    expect(body.result).toEqual({
      accepted: true,
      handles: [HANDLE],
      signatures: [SIGNATURE],
      extraData: '0x00',
    });
    const request = calls.inputs.at(-1)!;
    expect(request.contractChainId).toBe(31337n);
    expect([...request.ciphertextWithZkProof]).toEqual([0xc0, 0xff, 0xee]);
  });

  it('reports a rejected input as a failed job with a request_error label, code and hint', async () => {
    inputOutcome = async () => {
      throw new FhekitError('INPUT_PROOF_INVALID', 'Input proof rejected.', {
        hint: 'Use this stack’s keys.',
      });
    };
    const { status, body } = await runJob('/v2/input-proof', inputProofBody);
    expect(status).toBe(400);
    expect(body).toMatchObject({
      status: 'failed',
      error: {
        label: 'request_error',
        code: 'INPUT_PROOF_INVALID',
        message: 'Input proof rejected. Use this stack’s keys.',
      },
    });
  });

  it('refuses malformed and incomplete bodies on the POST itself, with field details', async () => {
    const malformed = await post('/input-proof', '{nope');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { label: string } }).error.label).toBe('malformed_json');

    const missing = await post('/input-proof', { contractAddress: CONTRACT });
    expect(missing.status).toBe(400);
    const missingError = (
      (await missing.json()) as { error: { label: string; details: { field: string }[] } }
    ).error;
    expect(missingError.label).toBe('missing_fields');
    expect(missingError.details.map((d) => d.field).sort()).toEqual([
      'ciphertextWithInputVerification',
      'contractChainId',
      'extraData',
      'userAddress',
    ]);

    const invalid = await post('/input-proof', { ...inputProofBody, userAddress: 'alice' });
    expect(((await invalid.json()) as { error: { label: string; details: unknown } }).error).toMatchObject({
      label: 'validation_failed',
      details: [{ field: 'userAddress', issue: 'must be an address' }],
    });
  });

  it('answers v1 public-decrypt synchronously, and maps ACL refusals to not_allowed_on_host_acl', async () => {
    publicOutcome = async () => decryption;
    const ok = await post('/v1/public-decrypt', { ciphertextHandles: [HANDLE], extraData: '0x00' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      response: [{ decrypted_value: decryption.decryptedResult.slice(2), signatures: [SIGNATURE.slice(2)] }],
    });

    publicOutcome = async () => {
      throw new FhekitError('KMS_NOT_ALLOWED_FOR_DECRYPTION', 'Not publicly decryptable.');
    };
    const { status, body } = await runJob('/public-decrypt', {
      ciphertextHandles: [HANDLE],
      extraData: '0x00',
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { label: 'not_allowed_on_host_acl' } });

    // Damaged stored bytes are the server's fault, not the client's: 500 with the typed code.
    publicOutcome = async () => {
      throw new FhekitError('FHE_STORE_CORRUPT', 'Stored ciphertext fails its digest.');
    };
    const corrupt = await post('/v1/public-decrypt', { ciphertextHandles: [HANDLE], extraData: '0x00' });
    expect(corrupt.status).toBe(500);
    expect(await corrupt.json()).toMatchObject({
      error: { label: 'internal_server_error', code: 'FHE_STORE_CORRUPT' },
    });
  });

  it('answers user-decrypt with signcrypted shares (v2 job and v1), and /fhekit/user-decrypt with plaintexts to the token holder', async () => {
    const { status, body } = await runJob('/user-decrypt', userDecryptBody);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'succeeded', result: { result: [SHARE] } });
    expect(calls.userDecrypt.at(-1)).toMatchObject({
      startTimestamp: 1700000000n,
      durationDays: 1n,
      publicKey: '0xabcd',
    });

    const v1 = await post('/v1/user-decrypt', userDecryptBody);
    expect(await v1.json()).toEqual({ response: [SHARE] });

    const direct = await post('/fhekit/user-decrypt', userDecryptBody, {
      Authorization: `Bearer ${API_TOKEN}`,
    });
    expect(direct.status).toBe(200);
    expect(await direct.json()).toEqual({
      status: 'succeeded',
      result: { plaintexts: [{ handle: HANDLE, value: '77' }] },
    });
  });

  it('refuses /fhekit/user-decrypt without the stack token, before reading the request', async () => {
    const before = calls.userDecrypt.length;
    for (const headers of <Record<string, string>[]>[
      {},
      { Authorization: `Bearer ${API_TOKEN.slice(0, -1)}0` },
      { Authorization: `Bearer ${API_TOKEN}x` },
      { Authorization: API_TOKEN },
      { Authorization: 'Bearer ' },
    ]) {
      const refused = await post('/fhekit/user-decrypt', userDecryptBody, headers);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        status: 'failed',
        error: { label: 'unauthorized', code: 'RELAYER_UNAUTHORIZED' },
      });
    }
    expect(calls.userDecrypt.length).toBe(before);

    // A relayer started without a token serves the route to nobody.
    const tokenless = await startRelayer({
      inputs,
      kms,
      keys: { publicKey: new Uint8Array(1), crs: new Uint8Array(1) },
    });
    try {
      const refused = await fetch(`${tokenless.url}/fhekit/user-decrypt`, {
        method: 'POST',
        headers: { Authorization: 'Bearer undefined' },
        body: JSON.stringify(userDecryptBody),
      });
      expect(refused.status).toBe(401);
    } finally {
      await tokenless.stop();
    }
  });

  it('answers an oversized body with 413 and the limit of the route it was sent to', async () => {
    const big = { ...inputProofBody, ciphertextWithInputVerification: 'ab'.repeat(4096) };
    const input = await post('/input-proof', big);
    expect(input.status).toBe(413);
    const inputError = ((await input.json()) as { error: { code: string; hint: string } }).error;
    expect(inputError).toMatchObject({
      code: 'RELAYER_BODY_TOO_LARGE',
      hint: expect.stringContaining('Inputs'),
    });
    for (const path of ['/user-decrypt', '/v1/public-decrypt', '/delegated-user-decrypt']) {
      const decrypt = await post(path, { ...userDecryptBody, publicKey: 'ab'.repeat(4096) });
      expect(decrypt.status).toBe(413);
      const error = ((await decrypt.json()) as { error: { code: string; hint: string } }).error;
      expect(error.code).toBe('RELAYER_BODY_TOO_LARGE');
      expect(error.hint).toContain('decryption');
      expect(error.hint).not.toContain('Inputs');
    }
  });

  it('holds at most maxJobs v2 jobs: a POST beyond them gets 429 + Retry-After, finished jobs make room', async () => {
    const capped = await startRelayer({
      inputs,
      kms,
      keys: { publicKey: new Uint8Array(1), crs: new Uint8Array(1) },
      maxJobs: 2,
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    publicOutcome = async () => {
      await gate;
      return decryption;
    };
    const body = JSON.stringify({ ciphertextHandles: [HANDLE], extraData: '0x00' });
    const send = () => fetch(`${capped.url}/public-decrypt`, { method: 'POST', body });
    try {
      const jobIdOf = async (res: Response) =>
        ((await res.json()) as { result: { jobId: string } }).result.jobId;
      const first = await jobIdOf(await send());
      const second = await jobIdOf(await send());
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('Retry-After')).toBe('1');
      expect(await refused.json()).toMatchObject({
        error: { label: 'protocol_overload', code: 'RELAYER_TOO_MANY_JOBS' },
      });
      release();
      const poll = (id: string) => fetch(`${capped.url}/public-decrypt/${id}`).then((res) => res.status);
      for (const id of [first, second]) while ((await poll(id)) === 202);
      // Both finished: a new job evicts the oldest finished one; the newer is still readable.
      expect((await send()).status).toBe(202);
      expect(await poll(first)).toBe(404);
      expect(await poll(second)).toBe(200);
    } finally {
      release();
      await capped.stop();
    }
  });

  it('keeps idle connections open for minutes, so a slow client’s next request finds its socket open', async () => {
    const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
      request(`${relayer.url}/keyurl`, { headers: { Connection: 'keep-alive' } }, (res) => {
        res.resume();
        resolve(String(res.headers['keep-alive']));
      })
        .on('error', reject)
        .end();
    });
    const seconds = Number(/timeout=(\d+)/.exec(keepAlive ?? '')?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(300);
  });

  it('reads delegated-user-decrypt bodies with the validity at the top level', async () => {
    const { requestValidity, userAddress, ...rest } = userDecryptBody;
    const { status } = await runJob('/delegated-user-decrypt', {
      ...rest,
      ...requestValidity,
      delegatorAddress: USER,
      delegateAddress: CONTRACT.replace('11', '33'),
    });
    expect(status).toBe(200);
    expect(calls.userDecrypt.at(-1)).toMatchObject({ delegatorAddress: USER, durationDays: 1n });
  });

  it('answers unknown routes, and job ids asked under another endpoint, with not_found', async () => {
    const job = await fetch(`${relayer.url}/input-proof/00000000-0000-0000-0000-000000000000`);
    expect(job.status).toBe(404);
    expect(((await job.json()) as { error: { label: string } }).error.label).toBe('not_found');
    expect((await fetch(`${relayer.url}/nothing-here`)).status).toBe(404);

    inputOutcome = async () => accepted;
    const queued = (await (await post('/input-proof', inputProofBody)).json()) as {
      result: { jobId: string };
    };
    expect((await fetch(`${relayer.url}/public-decrypt/${queued.result.jobId}`)).status).toBe(404);
  });
});
