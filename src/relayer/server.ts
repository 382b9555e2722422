import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { FhekitError } from '../errors.js';
import { encodeInputProof } from '../inputs/ciphertext-verification.js';
import type { AcceptedInput, InputService } from '../inputs/input-service.js';
import type { LocalKms, PublicDecryption, UserDecryption } from '../kms/local-kms.js';
import type { UserDecryptShare } from '../kms/user-decrypt-signcryption.js';
import { serverExitSignal } from '../runtime/server-exit.js';
import type { Service } from '../runtime/service.js';
import { WEB_PAGE } from '../ui/web-page.js';
import { type ApiError, apiErrorBody, toApiError } from './api-error.js';
import { JobRegistry } from './jobs.js';
import {
  parseJsonBody,
  readDirectInputRequest,
  readInputProofRequest,
  readPublicDecryptRequest,
  readSignDecryptionRequest,
  readUserDecryptRequest,
} from './wire.js';

export interface RelayerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  inputs: InputService;
  kms: LocalKms;
  /** node-tfhe `safe_serialize` bytes served to SDKs through `keyurl`. */
  keys: { publicKey: Uint8Array; crs: Uint8Array };
  /** Seconds v2 clients wait between polls (the SDK waits at least 1 s). */
  retryAfterSeconds?: number;
  /** How long a finished v2 job stays readable. */
  jobTtlMs?: number;
  /** v2 jobs held at once (default 1000); beyond it a POST is answered 429 + Retry-After. */
  maxJobs?: number;
  maxBodyBytes?: number;
  /**
   * The stack's secret (`<stateDir>/api-token`): the `/fhekit/` routes (clear-text user decryption,
   * direct inputs) answer only to `Authorization: Bearer <apiToken>`. Without it they refuse every request.
   */
  apiToken?: string;
  /**
   * Data behind the stack's web page `GET /ui` (the page itself holds none); its `/fhekit/ui/*` routes
   * need the API token like the other `/fhekit/` routes. Without it there is no page.
   */
  webUi?: WebUiData;
  /** Idle keep-alive before the server closes a socket (default 10 min); a client in the same process may need longer. */
  keepAliveTimeoutMs?: number;
  logger?: Logger;
}

export interface WebUiData {
  status(): Promise<unknown>;
  transactions(): Promise<unknown>;
  /** The same trace `fhe trace --json` prints. */
  trace(txHash: string): Promise<unknown>;
}

export interface RelayerHandle extends Service {
  /** relayerUrl for the SDK's default protocol (v2, async jobs). */
  url: string;
  /** relayerUrl for `relayerRouteVersion: 1` (synchronous answers). */
  urlV1: string;
  port: number;
}

type Operation = 'input-proof' | 'public-decrypt' | 'user-decrypt' | 'delegated-user-decrypt';
type Version = 1 | 2;
type OperationResult = AcceptedInput | PublicDecryption | UserDecryptShare[];

/**
 * Idle keep-alive sockets stay open this long. A client (the SDK) fetches the keys, then proves its input
 * for seconds to minutes with its event loop blocked, then POSTs on the same socket: had the server closed
 * it meanwhile, the POST would fail with a reset the client does not retry.
 */
const KEEP_ALIVE_TIMEOUT_MS = 10 * 60_000;
/** What to do about an oversized body: input proofs and decryptions have different limits. */
const INPUT_SIZE_HINT = 'Inputs are limited to 2048 bits; split larger inputs over several proofs.';
const DECRYPT_SIZE_HINT =
  'A decryption covers at most 2048 bits of handles; split the handles over several requests.';

const KEY_PATHS = { publicKey: '/keys/public-key.bin', crs: '/keys/crs-2048.bin' } as const;
const OPERATIONS: readonly Operation[] = [
  'input-proof',
  'public-decrypt',
  'user-decrypt',
  'delegated-user-decrypt',
];

/**
 * The relayer HTTP API `@zama-fhe/relayer-sdk` 0.4 speaks (docs/fhevm-protocol.md §Relayer API), backed by
 * input verification and local KMS. Routes live at the root and under /v2 (async jobs: 202 + jobId +
 * Retry-After, then GET …/{jobId}) and under /v1 (synchronous). `POST /fhekit/user-decrypt` takes the
 * same body as `user-decrypt` and returns the plaintexts in clear, for clients without the SDK; because
 * that body is what the SDK sends (and anyone who saw one could replay it), it also needs the stack's token.
 * `POST /fhekit/direct-input` (same token) has the stack encrypt and sign plaintexts (`--inputs direct`).
 * `POST /fhekit/debug-decrypt` and `/fhekit/sign-decryption` (same token) are the Hardhat debugger's:
 * clear values without the ACL, and KMS signatures over given values.
 * `GET /ui` is the stack's web page; the data it shows comes from `GET /fhekit/ui/*` (same token).
 */
export async function startRelayer(options: RelayerOptions): Promise<RelayerHandle> {
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  // Jobs keep only the v2 answer body, or the API error (not the raw error and its causes).
  const jobs = new JobRegistry<unknown>({
    ttlMs: options.jobTtlMs ?? 10 * 60_000,
    maxJobs: options.maxJobs ?? 1000,
  });
  const tokenDigest = options.apiToken === undefined ? undefined : sha256(options.apiToken);
  const dataIds = { publicKey: dataId(options.keys.publicKey), crs: dataId(options.keys.crs) };
  let baseUrl = '';

  /** Decodes the body now (so a bad request is a 400 on the POST itself) and returns the work. */
  function prepare(operation: Operation, body: Record<string, unknown>): () => Promise<OperationResult> {
    switch (operation) {
      case 'input-proof': {
        const request = readInputProofRequest(body);
        return async () => {
          const accepted = await options.inputs.acceptInput(request);
          options.logger?.info({ values: accepted.handles.length, ...accepted.timings }, 'input verified');
          return accepted;
        };
      }
      case 'public-decrypt': {
        const handles = readPublicDecryptRequest(body);
        return () => options.kms.publicDecrypt(handles);
      }
      case 'user-decrypt':
      case 'delegated-user-decrypt': {
        const request = readUserDecryptRequest(body, operation === 'delegated-user-decrypt');
        return () => options.kms.userDecryptShares(request);
      }
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://relayer').pathname.replace(/\/+$/, '');
    const [, first, ...rest] = path.split('/');
    if (req.method === 'GET' && path === KEY_PATHS.publicKey) return sendBytes(res, options.keys.publicKey);
    if (req.method === 'GET' && path === KEY_PATHS.crs) return sendBytes(res, options.keys.crs);
    if (req.method === 'POST' && path === '/fhekit/direct-input') {
      checkApiToken(req.headers.authorization, tokenDigest);
      const body = await readJson(req, maxBodyBytes, INPUT_SIZE_HINT);
      const accepted = await options.inputs.acceptDirectInput(readDirectInputRequest(body));
      options.logger?.info({ values: accepted.handles.length, ...accepted.timings }, 'direct input signed');
      return sendJson(res, 200, {
        handles: accepted.handles,
        inputProof: encodeInputProof(accepted.handles, accepted.signatures, accepted.extraData),
      });
    }
    if (options.webUi && req.method === 'GET' && path === '/ui') return sendPage(res);
    if (options.webUi && req.method === 'GET' && first === 'fhekit' && rest[0] === 'ui') {
      checkApiToken(req.headers.authorization, tokenDigest);
      const [, view, txHash, extra] = rest;
      if (view === 'status' && txHash === undefined) return sendJson(res, 200, await options.webUi.status());
      if (view === 'transactions' && txHash === undefined)
        return sendJson(res, 200, await options.webUi.transactions());
      if (view === 'trace' && txHash !== undefined && extra === undefined)
        return sendJson(res, 200, await options.webUi.trace(txHash));
    }
    if (req.method === 'POST' && path === '/fhekit/debug-decrypt') {
      checkApiToken(req.headers.authorization, tokenDigest);
      const handles = readPublicDecryptRequest(await readJson(req, maxBodyBytes, DECRYPT_SIZE_HINT));
      const values = await options.kms.debugDecrypt(handles);
      return sendJson(res, 200, { values: values.map(String) });
    }
    if (req.method === 'POST' && path === '/fhekit/sign-decryption') {
      checkApiToken(req.headers.authorization, tokenDigest);
      const body = await readJson(req, maxBodyBytes, DECRYPT_SIZE_HINT);
      const { handles, values } = readSignDecryptionRequest(body);
      return sendJson(res, 200, { signatures: await options.kms.signDecryption(handles, values) });
    }
    if (req.method === 'POST' && path === '/fhekit/user-decrypt') {
      checkApiToken(req.headers.authorization, tokenDigest);
      const body = await readJson(req, maxBodyBytes, DECRYPT_SIZE_HINT);
      const result = await options.kms.userDecrypt(readUserDecryptRequest(body, false));
      return sendJson(res, 200, { status: 'succeeded', result: formatPlaintexts(result) });
    }

    const version: Version = first === 'v1' ? 1 : 2;
    const [endpoint, jobId, extra] = first === 'v1' || first === 'v2' ? rest : [first, ...rest];
    if (extra === undefined && endpoint === 'keyurl' && jobId === undefined && req.method === 'GET') {
      return sendJson(res, 200, keyUrlBody(version, baseUrl, dataIds));
    }
    if (extra !== undefined || endpoint === undefined || !OPERATIONS.includes(endpoint as Operation)) {
      return sendError(res, { status: 404, label: 'not_found', message: `No route ${req.method} ${path}.` });
    }
    const operation = endpoint as Operation;

    if (req.method === 'POST' && jobId === undefined) {
      const work = prepare(
        operation,
        await readJson(req, maxBodyBytes, operation === 'input-proof' ? INPUT_SIZE_HINT : DECRYPT_SIZE_HINT),
      );
      if (version === 1) return sendJson(res, 200, { response: formatV1(operation, await work()) });
      const id = jobs.start(operation, () =>
        work().then(
          (result) => formatV2(operation, result),
          (error: unknown) => Promise.reject(apiErrorOf(error)),
        ),
      );
      res.setHeader('Retry-After', retryAfter);
      return sendJson(res, 202, { status: 'queued', requestId: id, result: { jobId: id } });
    }
    if (req.method === 'GET' && jobId !== undefined && version === 2) {
      const job = jobs.get(operation, jobId);
      if (!job)
        return sendError(res, { status: 404, label: 'not_found', message: `No job ${jobId}.` }, jobId);
      if (job.status === 'queued') {
        res.setHeader('Retry-After', retryAfter);
        return sendJson(res, 202, { status: 'queued', requestId: jobId });
      }
      if (job.status === 'failed') return sendError(res, job.error as ApiError, jobId);
      return sendJson(res, 200, { status: 'succeeded', requestId: jobId, result: job.result });
    }
    return sendError(res, { status: 404, label: 'not_found', message: `No route ${req.method} ${path}.` });
  }

  function apiErrorOf(error: unknown): ApiError {
    const apiError = toApiError(error);
    if (apiError.status >= 500) options.logger?.error({ err: error }, 'relayer request failed');
    return apiError;
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const apiError = apiErrorOf(error);
      if (apiError.status === 429) res.setHeader('Retry-After', retryAfter);
      // Close rather than read (and discard) the rest of an oversized body.
      if (apiError.status === 413) res.setHeader('Connection', 'close');
      sendError(res, apiError);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;
  // Node also bounds the wait for a request's headers on a kept-alive socket: not shorter than the idle time.
  server.headersTimeout = server.keepAliveTimeout + 1000;
  server.requestTimeout = server.keepAliveTimeout + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new FhekitError('RELAYER_PORT_IN_USE', `Port ${options.port} is already in use.`, {
              hint: 'Stop the other process or pick another port for the relayer API.',
              cause: error,
            })
          : error,
      ),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const exit = serverExitSignal(server);
  return {
    name: 'relayer API',
    exited: exit.exited,
    url: baseUrl,
    urlV1: `${baseUrl}/v1`,
    port,
    stop: async () => {
      exit.stopping();
      jobs.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function formatV1(operation: Operation, result: OperationResult): unknown {
  if (operation === 'user-decrypt' || operation === 'delegated-user-decrypt') return result;
  if (operation === 'input-proof') {
    const { handles, signatures } = result as AcceptedInput;
    return { handles, signatures };
  }
  const { decryptedResult, signatures } = result as PublicDecryption;
  return [{ decrypted_value: no0x(decryptedResult), signatures: signatures.map(no0x) }];
}

function formatV2(operation: Operation, result: OperationResult): unknown {
  if (operation === 'user-decrypt' || operation === 'delegated-user-decrypt') return { result };
  if (operation === 'input-proof') {
    const { handles, signatures, extraData } = result as AcceptedInput;
    return { accepted: true, handles, signatures, extraData };
  }
  const { decryptedResult, signatures, extraData } = result as PublicDecryption;
  return { decryptedValue: no0x(decryptedResult), signatures: signatures.map(no0x), extraData };
}

function formatPlaintexts({ handles, values }: UserDecryption) {
  return { plaintexts: handles.map((handle, i) => ({ handle, value: values[i]!.toString() })) };
}

function keyUrlBody(version: Version, baseUrl: string, ids: { publicKey: string; crs: string }) {
  const publicKey = { id: ids.publicKey, urls: [`${baseUrl}${KEY_PATHS.publicKey}`] };
  const crs = { id: ids.crs, urls: [`${baseUrl}${KEY_PATHS.crs}`] };
  if (version === 1) {
    return {
      response: {
        fhe_key_info: [{ fhe_public_key: { data_id: publicKey.id, urls: publicKey.urls } }],
        crs: { 2048: { data_id: crs.id, urls: crs.urls } },
      },
    };
  }
  return {
    status: 'succeeded',
    response: {
      fheKeyInfo: [{ fhePublicKey: { dataId: publicKey.id, urls: publicKey.urls } }],
      crs: { 2048: { dataId: crs.id, urls: crs.urls } },
    },
  };
}

function dataId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

function no0x(hex: string): string {
  return hex.startsWith('0x') ? hex.slice(2) : hex;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time check of `Authorization: Bearer <token>` (equal-length digests, so no length leak either). */
function checkApiToken(authorization: string | undefined, expected: Buffer | undefined): void {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (expected !== undefined && given !== undefined && timingSafeEqual(sha256(given), expected)) return;
  throw new FhekitError(
    'RELAYER_UNAUTHORIZED',
    'The /fhekit/ routes (clear-text decryption, direct inputs) answer only with the stack’s API token.',
    {
      hint:
        expected === undefined
          ? 'This relayer was started without an API token; use the SDK’s user-decrypt instead.'
          : 'Send `Authorization: Bearer <token>` with the token from <state-dir>/api-token.',
    },
  );
}

async function readJson(
  req: IncomingMessage,
  maxBytes: number,
  limitHint: string,
): Promise<Record<string, unknown>> {
  const tooLarge = () =>
    new FhekitError('RELAYER_BODY_TOO_LARGE', `Request body exceeds ${maxBytes} bytes.`, { hint: limitHint });
  if (Number(req.headers['content-length']) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return parseJsonBody(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendPage(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(WEB_PAGE.html),
    'Content-Security-Policy': WEB_PAGE.contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(WEB_PAGE.html);
}

function sendBytes(res: ServerResponse, bytes: Uint8Array): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
  res.end(bytes);
}

function sendError(res: ServerResponse, error: ApiError, requestId?: string): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, error.status, apiErrorBody(error, requestId));
}
