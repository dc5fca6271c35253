// The auditor's proof file: LoadDbProof, then VerifyDbProof against the fixture DB (whose digest
// the seed proofs carry, so mutations of the keys, values and scalars reach the DLEQ check).
#include <cstdint>
#include <span>

#include "fuzz/fuzz_fixture.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/message_check.h"
#include "fuzz/scratch_file.h"
#include "hashveil/hashdb/db_proof.h"

namespace hashveil::fuzz {
namespace {

void LoadAndVerifyProof(std::span<const std::uint8_t> data) {
  static const ScratchFile file("db_proof");
  static const ScratchFile resaved("db_proof_resaved");
  const FixtureDb& fixture = TheFixtureDb();
  file.Write(data);
  auto proof = hashdb::LoadDbProof(file.path());
  if (!proof.ok()) return CheckRefusal(proof.status());

  // What loads saves back to the same proof.
  resaved.Remove();
  HV_FUZZ_CHECK(hashdb::SaveDbProof(*proof, resaved.path()).ok());
  auto reloaded = hashdb::LoadDbProof(resaved.path());
  HV_FUZZ_CHECK(reloaded.ok());
  HV_FUZZ_CHECK(reloaded->db_digest == proof->db_digest &&
                reloaded->filler_seed == proof->filler_seed && reloaded->keys == proof->keys &&
                reloaded->values == proof->values && reloaded->challenge == proof->challenge &&
                reloaded->response == proof->response);

  const Status verified = hashdb::VerifyDbProof(*fixture.loaded, *proof, 1, {});
  if (!verified.ok()) CheckRefusal(verified);
}

}  // namespace
}  // namespace hashveil::fuzz

HASHVEIL_FUZZ_TARGET("db_proof", hashveil::fuzz::LoadAndVerifyProof)
