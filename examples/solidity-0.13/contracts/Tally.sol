// SPDX-License-Identifier: BSD-3-Clause-Clear
pragma solidity ^0.8.24;

import {FHE, ebool, euint8, externalEuint8} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";

// Compiled against fhevm solidity 0.13: `add` uses host functions every release has, `sumTwice` and
// `isAmong` the 0.13-only `FHE.sum` / `FHE.isIn` that the 0.10 host contracts lack.
contract Tally is ZamaEthereumConfig {
    euint8 public total;
    ebool public found;

    function add(externalEuint8 input, bytes calldata inputProof) external {
        total = FHE.add(FHE.fromExternal(input, inputProof), FHE.asEuint8(1));
        FHE.allowThis(total);
        FHE.allow(total, msg.sender);
    }

    function sumTwice(externalEuint8 input, bytes calldata inputProof) external {
        euint8 value = FHE.fromExternal(input, inputProof);
        euint8[] memory values = new euint8[](2);
        values[0] = value;
        values[1] = value;
        total = FHE.sum(values);
        FHE.allowThis(total);
    }

    function isAmong(externalEuint8 input, bytes calldata inputProof) external {
        euint8 value = FHE.fromExternal(input, inputProof);
        euint8[] memory values = new euint8[](1);
        values[0] = FHE.asEuint8(3);
        found = FHE.isIn(value, values);
        FHE.allowThis(found);
    }
}
