#include "served_db.h"

#include <chrono>

#include "hashveil/hashdb/client_db.h"
#include "hashveil/psi/voucher_builder.h"

namespace hashveil::tools::serve {
namespace {

Result<psi::ServedDbParams> VerifiedDbParams(const ServedDbFiles& files) {
  if (!files.publisher) {
    return Status::InvalidInput("--db needs --publisher (the DB's signature is checked)");
  }
  HV_ASSIGN_OR_RETURN(const auto publisher, hashdb::LoadPublisherPublicKey(*files.publisher));
  HV_ASSIGN_OR_RETURN(const auto db, hashdb::ClientDb::Load(*files.db, publisher));
  return psi::ServedDbParams{.shape = psi::VoucherBuilder::ShapeOf(*db),
                             .threshold = db->params().threshold,
                             .public_point = db->params().public_point,
                             .synthetic_rate_ppm = db->params().synthetic_rate_ppm,
                             .key_bits = db->params().key_scheme.bits_per_key};
}

}  // namespace

Result<ServedDbs> SetUpServedDbs(psi::ShareStore& store, const ServedDbFiles& files,
                                 const hashdb::ServerSecret& secret, const EpochRollOver& roll) {
  if (files.db) {
    HV_ASSIGN_OR_RETURN(const auto params, VerifiedDbParams(files));
    if (!(params.public_point == secret.public_point())) {
      return Status::FailedPrecondition(
          "the server secret is not the one the client DB was blinded with");
    }
    HV_RETURN_IF_ERROR(store.AddServedDb(params, roll.now, roll.transition_seconds));
  }
  ServedDbs served;
  HV_ASSIGN_OR_RETURN(served.all, store.LoadServedDbs());
  if (served.all.empty()) {
    return Status::FailedPrecondition(
        "the share store serves no DB yet: start once with --db and --publisher");
  }
  for (const psi::ServedDb& db : served.all) {
    if (!(db.params.public_point == secret.public_point())) {
      return Status::FailedPrecondition(
          "the server secret is not the one a served DB was blinded with (one secret per store)");
    }
  }
  return served;
}

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hashveil::tools::serve
