// SPDX-License-Identifier: BSD-3-Clause-Clear
pragma solidity ^0.8.24;

import {FHE, ebool, euint8, externalEuint8} from "@fhevm/solidity/lib/FHE.sol";
import {ZamaEthereumConfig} from "@fhevm/solidity/config/ZamaConfig.sol";

/// Test contract of the fhekit Hardhat plugin: one encrypted value per account, readable by its owner.
contract Vault is ZamaEthereumConfig {
    mapping(address => euint8) private _values;
    ebool private _lastIsBig;

    function store(externalEuint8 input, bytes calldata inputProof) external {
        euint8 value = FHE.add(FHE.fromExternal(input, inputProof), FHE.asEuint8(1));
        _values[msg.sender] = value;
        FHE.allowThis(value);
        FHE.allow(value, msg.sender);
        _lastIsBig = FHE.gt(value, FHE.asEuint8(100));
        FHE.makePubliclyDecryptable(_lastIsBig);
    }

    function valueFor(address account) external view returns (euint8) {
        return _values[account];
    }

    function lastIsBig() external view returns (ebool) {
        return _lastIsBig;
    }
}
