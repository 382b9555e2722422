/**
 * The one parameter set fhekit computes with: tfhe-rs `PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128`
 * (KS_PBS order, centered-mean modulus switch) plus the dedicated PKE key of
 * `PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128` with its casting keyswitch to the small key.
 */
export const PARAMS = {
  /** Small LWE dimension n: the keyswitch output and blind-rotation input. */
  smallDimension: 918,
  /** GLWE polynomial size N (k = 1), so the big LWE key has N coefficients. */
  polynomialSize: 2048,
  /** TUniform bound log2 for encryptions under the small key (KSK and casting KSK). */
  smallNoiseBoundLog2: 45,
  /** TUniform bound log2 for encryptions under the GLWE key (BSK). */
  glweNoiseBoundLog2: 17,
  pbsBaseLog: 23,
  pbsLevel: 1,
  ksBaseLog: 4,
  ksLevel: 4,
  messageModulus: 4,
  carryModulus: 4,
  maxNoiseLevel: 5,
  /** PKE (compact public key) secret dimension; inputs are keyswitched from it to the small key. */
  pkeDimension: 2048,
  pkeNoiseBoundLog2: 17,
} as const;

/** Big LWE size (mask + body) of every stored block. */
export const BIG_LWE_SIZE = PARAMS.polynomialSize + 1;
/** Message + carry space of a block (16); a block value must stay below it (padding bit clear). */
export const BLOCK_SPACE = PARAMS.messageModulus * PARAMS.carryModulus;
/** Largest clean block value (3). */
export const MESSAGE_MAX = PARAMS.messageModulus - 1;
/** Δ = 2^63 / 16: one padding bit, then 4 bits of message+carry. */
export const DELTA_LOG2 = 59;
export const DELTA = 1n << 59n;
