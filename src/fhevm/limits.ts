/**
 * tfhe-rs `safe_deserialize` refuses any object larger than this many bytes; every read and write of
 * keys and ciphertexts passes it. Far above what the relayer accepts, so it never binds on requests.
 */
export const SERIALIZATION_LIMIT = 1n << 40n;

/** Capacity of the CRS: an input proof covers at most this many encrypted bits. */
export const MAX_INPUT_BITS = 2048;

/** The relayer's limit on the bits one decryption request may cover (counted like input bits). */
export const MAX_DECRYPTION_BITS = 2048;
