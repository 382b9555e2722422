import { isFhekitError } from '../errors.js';
import { type FieldIssue, RelayerRequestError } from './wire.js';

/** An error as the relayer protocol reports it: HTTP status, one of the SDK's labels, a message. */
export interface ApiError {
  status: number;
  label: string;
  message: string;
  details?: FieldIssue[];
  /** fhekit's own error code and hint, extra fields the SDK ignores and fhekit's client shows. */
  code?: string;
  hint?: string;
}

const ACL_REFUSALS = new Set(['KMS_NOT_ALLOWED_FOR_DECRYPTION', 'KMS_NOT_ALLOWED', 'KMS_NOT_DELEGATED']);
/** Refusals that are not a 400: a missing token, an oversized body, too many jobs (the SDK retries a 429). */
const STATUS_OF: Record<string, { status: number; label: string }> = {
  RELAYER_UNAUTHORIZED: { status: 401, label: 'unauthorized' },
  RELAYER_BODY_TOO_LARGE: { status: 413, label: 'request_error' },
  RELAYER_TOO_MANY_JOBS: { status: 429, label: 'protocol_overload' },
  FHE_TRACE_NOT_FOUND: { status: 404, label: 'not_found' },
};

const SERVER_FAULTS = new Set(['KMS_COMPUTATION_FAILED', 'FHE_STORE_CORRUPT', 'FHE_STORE_UNREADABLE']);

/**
 * Maps fhekit errors onto the labels `@zama-fhe/relayer-sdk` 0.4 accepts (it rejects unknown labels):
 * every refusal the client can fix is a 400, anything unexpected a 500.
 */
export function toApiError(error: unknown): ApiError {
  if (!isFhekitError(error)) {
    return { status: 500, label: 'internal_server_error', message: 'Internal error in the fhekit relayer.' };
  }
  const base = {
    message: error.hint ? `${error.message} ${error.hint}` : error.message,
    code: error.code,
    hint: error.hint,
  };
  if (error instanceof RelayerRequestError) {
    if (error.code === 'RELAYER_MALFORMED_JSON') return { status: 400, label: 'malformed_json', ...base };
    const label = error.code === 'RELAYER_MISSING_FIELDS' ? 'missing_fields' : 'validation_failed';
    return { status: 400, label, details: error.details, ...base };
  }
  const special = STATUS_OF[error.code];
  if (special) return { ...special, ...base };
  if (ACL_REFUSALS.has(error.code)) return { status: 400, label: 'not_allowed_on_host_acl', ...base };
  if (error.code === 'KMS_CIPHERTEXT_NOT_READY')
    return { status: 400, label: 'not_ready_for_decryption', ...base };
  // Not the client's fault: a failed computation, or stored bytes that fail their integrity check.
  if (SERVER_FAULTS.has(error.code)) return { status: 500, label: 'internal_server_error', ...base };
  return { status: 400, label: 'request_error', ...base };
}

export function apiErrorBody(error: ApiError, requestId?: string) {
  const { status: _status, ...body } = error;
  return { status: 'failed', ...(requestId ? { requestId } : {}), error: body };
}
