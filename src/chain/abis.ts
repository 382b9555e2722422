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

/** FHEVMExecutor events: one per op, `VerifyInput`, OZ upgrade events (docs/fhevm-protocol.md §Host events). */
export const fhevmExecutorEventsAbi = eventsOf(fhevmExecutorAbi);

/** ACL events: `Allowed`, `AllowedForDecryption`, delegation, deny list, OZ (docs/fhevm-protocol.md §Host events). */
export const aclEventsAbi = eventsOf(aclAbi);
