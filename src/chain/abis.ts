/**
 * The ABIs other modules need, in one place: the host contracts' full ABIs (generated from the
 * `@fhevm/host-contracts` artifacts, typed for viem) and the event subsets a log listener decodes.
 */
import { aclAbi, fhevmExecutorAbi } from './host-abis.generated.js';

export {
  aclAbi,
  fhevmExecutorAbi,
  hcuLimitAbi,
  inputVerifierAbi,
  kmsVerifierAbi,
  pauserSetAbi,
} from './host-abis.generated.js';

type EventOf<TAbi extends readonly { type: string }[]> = Extract<TAbi[number], { type: 'event' }>;

function eventsOf<const TAbi extends readonly { type: string }[]>(abi: TAbi): EventOf<TAbi>[] {
  return abi.filter((item): item is EventOf<TAbi> => item.type === 'event');
}

/** `FheAdd` … `FheRandBounded`, `VerifyInput`, `Cast`, `TrivialEncrypt` (fhevm-spec §3.1), plus OZ upgrade events. */
export const fhevmExecutorEventsAbi = eventsOf(fhevmExecutorAbi);

/** `Allowed`, `AllowedForDecryption`, delegation and deny-list events (fhevm-spec §3.2), plus OZ events. */
export const aclEventsAbi = eventsOf(aclAbi);
