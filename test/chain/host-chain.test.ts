import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hcuLimitAbi, inputVerifierAbi, kmsVerifierAbi } from '../../src/chain/abis.js';
import type { DeployedContract } from '../../src/chain/deploy.js';
import type { FIXTURE_ABIS } from '../../src/chain/fixtures.js';
import { DEFAULT_GATEWAY } from '../../src/chain/host-contracts.js';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { parseHandle } from '../../src/fhevm/handles.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { aclEvents, deployFixture, executorEvents, transact } from './fixture-chain.js';

let chain: ChainHandle;
let ops: DeployedContract<typeof FIXTURE_ABIS.HandleOps>;

beforeAll(async () => {
  chain = await startChain();
  ops = await deployFixture(chain, 'HandleOps');
});

afterAll(async () => {
  await chain?.stop();
});

describe('host contracts', () => {
  it('are initialised with this stack’s signers and the gateway EIP-712 domains', async () => {
    const read = chain.publicClient.readContract;
    const inputDomain = await read({
      address: chain.addresses.inputVerifier,
      abi: inputVerifierAbi,
      functionName: 'eip712Domain',
    });
    expect(inputDomain.slice(1, 5)).toEqual([
      'InputVerification',
      '1',
      BigInt(DEFAULT_GATEWAY.chainId),
      DEFAULT_GATEWAY.inputVerification,
    ]);
    const kmsDomain = await read({
      address: chain.addresses.kmsVerifier,
      abi: kmsVerifierAbi,
      functionName: 'eip712Domain',
    });
    expect(kmsDomain.slice(1, 5)).toEqual([
      'Decryption',
      '1',
      BigInt(DEFAULT_GATEWAY.chainId),
      DEFAULT_GATEWAY.decryption,
    ]);
    expect(
      await read({
        address: chain.addresses.inputVerifier,
        abi: inputVerifierAbi,
        functionName: 'getCoprocessorSigners',
      }),
    ).toEqual([chain.signers.coprocessor.address]);
    expect(
      await read({
        address: chain.addresses.kmsVerifier,
        abi: kmsVerifierAbi,
        functionName: 'getKmsSigners',
      }),
    ).toEqual([chain.signers.kms.address]);
    expect(chain.hostContracts).toBe('installed');
    expect(chain.describe().join('\n')).toContain(chain.rpcUrl);
  });
});

describe('an FHE operation from a deployed contract', () => {
  it('emits the FHEVMExecutor event with a spec-shaped result handle and ACL allowances', async () => {
    const logs = await transact(chain, ops, 'binaryPlain', [FheOp.Add, FheType.Uint8, 3n, 4n, false]);

    const executor = executorEvents(chain, logs);
    expect(executor.map((e) => e.eventName)).toEqual(['TrivialEncrypt', 'TrivialEncrypt', 'FheAdd']);
    const add = executor[2];
    if (add.eventName !== 'FheAdd') throw new Error('unreachable');
    expect(add.args.caller).toBe(ops.address);
    expect(add.args.scalarByte).toBe('0x00');
    expect(add.args.lhs).toBe(executor[0].eventName === 'TrivialEncrypt' && executor[0].args.result);
    expect(parseHandle(add.args.result)).toMatchObject({
      inputIndex: null,
      chainId: BigInt(chain.chainId),
      type: FheType.Uint8,
    });

    const acl = aclEvents(chain, logs);
    const allowed = acl.flatMap((e) => (e.eventName === 'Allowed' ? [e.args] : []));
    expect(allowed).toEqual([
      { caller: ops.address, account: ops.address, handle: add.args.result },
      { caller: ops.address, account: chain.deployer.address, handle: add.args.result },
    ]);
    expect(
      acl.some((e) => e.eventName === 'AllowedForDecryption' && e.args.handlesList[0] === add.args.result),
    ).toBe(true);
    expect(await ops.contract.read.lastResult()).toBe(add.args.result);
  });

  it('accepts an encrypted input whose proof is signed by the stack’s coprocessor key', async () => {
    const handle = fakeInputHandle(chain.chainId, FheType.Uint64);
    const extraData: Hex = '0x00';
    const signature = await chain.signers.coprocessor.signTypedData({
      domain: {
        name: 'InputVerification',
        version: '1',
        chainId: chain.gateway.chainId,
        verifyingContract: chain.gateway.inputVerification,
      },
      types: {
        CiphertextVerification: [
          { name: 'ctHandles', type: 'bytes32[]' },
          { name: 'userAddress', type: 'address' },
          { name: 'contractAddress', type: 'address' },
          { name: 'contractChainId', type: 'uint256' },
          { name: 'extraData', type: 'bytes' },
        ],
      },
      primaryType: 'CiphertextVerification',
      message: {
        ctHandles: [handle],
        userAddress: chain.deployer.address,
        contractAddress: ops.address,
        contractChainId: BigInt(chain.chainId),
        extraData,
      },
    });
    // numHandles ‖ numSigners ‖ handles ‖ signatures ‖ extraData (docs/fhevm-protocol.md §Input proofs)
    const proof = `0x0101${handle.slice(2)}${signature.slice(2)}${extraData.slice(2)}` as Hex;

    const logs = await transact(chain, ops, 'inputEuint64', [handle, proof]);
    const verify = executorEvents(chain, logs).find((e) => e.eventName === 'VerifyInput');
    expect(verify?.args).toMatchObject({ inputHandle: handle, result: handle, inputType: FheType.Uint64 });
  });

  it('rejects an input proof signed by a key the InputVerifier does not know', async () => {
    const handle = fakeInputHandle(chain.chainId, FheType.Uint8);
    const stranger = chain.signers.kms; // a real key, just not a coprocessor signer
    const signature = await stranger.signMessage({ message: 'not an EIP-712 input verification' });
    const proof = `0x0101${handle.slice(2)}${signature.slice(2)}00` as Hex;
    await expect(transact(chain, ops, 'inputEuint8', [handle, proof])).rejects.toThrow();
  });
});

/** An input handle (index 0) with valid metadata; InputVerifier checks only metadata and signatures. */
function fakeInputHandle(chainId: number, type: FheType): Hex {
  const chainIdHex = BigInt(chainId).toString(16).padStart(16, '0');
  const typeHex = type.toString(16).padStart(2, '0');
  return `0x${'ab'.repeat(21)}00${chainIdHex}${typeHex}00`;
}

describe('ConfidentialToken', () => {
  it('transfers with ge + select + sub + add on euint64, and moves nothing instead of reverting when short', async () => {
    const token = await deployFixture(chain, 'ConfidentialToken', ['Test', 'TST']);
    await transact(chain, token, 'mint', [chain.deployer.address, 100n]);
    const recipient = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

    for (const amount of [30n, 1_000n]) {
      const logs = await transact(chain, token, 'transferPlain', [recipient, amount]);
      const events = executorEvents(chain, logs);
      expect(events.map((e) => e.eventName)).toEqual(
        expect.arrayContaining(['FheGe', 'FheIfThenElse', 'FheSub', 'FheAdd']),
      );
      for (const event of events) {
        const result = (event.args as { result: Hex }).result;
        expect(parseHandle(result).type).toBe(event.eventName === 'FheGe' ? FheType.Bool : FheType.Uint64);
      }
    }
    const balance = await token.contract.read.confidentialBalanceOf([recipient]);
    expect(parseHandle(balance as Hex).type).toBe(FheType.Uint64);
  });
});

describe('HCULimit', () => {
  it('admits a dependency chain below the per-transaction depth limit and reverts one above it', async () => {
    // Encrypted euint128 mul: 1,686,000 HCU; depth must stay under 5,000,000 (docs/fhevm-protocol.md §HCU).
    const repeatMul = (times: number) => [FheOp.Mul, FheType.Uint128, 3n, 5n, false, times] as const;
    const logs = await transact(chain, ops, 'repeatPlain', [...repeatMul(2)]);
    const muls = executorEvents(chain, logs).flatMap((e) => (e.eventName === 'FheMul' ? [e.args] : []));
    expect(muls).toHaveLength(2);
    expect(muls[1].lhs).toBe(muls[0].result);

    const error = await chain.publicClient
      .simulateContract({
        address: ops.address,
        abi: [...ops.contract.abi, ...hcuLimitAbi.filter((item) => item.type === 'error')],
        functionName: 'repeatPlain',
        args: repeatMul(3),
        account: chain.deployer,
      })
      .catch((e: unknown) => e);
    expect(String(error)).toContain('HCUTransactionDepthLimitExceeded');
  });
});
