// Which served epochs' shares combine toward one threshold (docs/protocol.md 3.3): a device
// derives its polynomial, fkey and hkey from its root and (t, s, p_syn), and an image's share x
// from fkey and its base key, whose bits k the DB chooses. Epochs that agree on t, s, p_syn and k
// therefore see one polynomial and one x per image, and are processed together; any difference
// (or a parameter a store of schema 2 did not keep) puts an epoch in a group of its own.
#pragma once

#include <vector>

#include "hashveil/psi/share_store.h"
#include "hashveil/psi/threshold.h"

namespace hashveil::tools::serve {

// The groups of `dbs` (any order), the group holding the newest epoch first.
std::vector<psi::EpochGroup> GroupEpochsByGeneration(const std::vector<psi::ServedDb>& dbs);

}  // namespace hashveil::tools::serve
