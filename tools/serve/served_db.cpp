#include "served_db.h"

#include "hashveil/hashdb/client_db.h"
#include "hashveil/psi/voucher_builder.h"

namespace hashveil::tools::serve {

Result<psi::ServedDbParams> SetUpServedDb(psi::ShareStore& store, const ServedDbFiles& files,
                                          const hashdb::ServerSecret& secret) {
  if (files.db) {
    if (!files.publisher) {
      return Status::InvalidInput("--db needs --publisher (the DB's signature is checked)");
    }
    HV_ASSIGN_OR_RETURN(const auto publisher, hashdb::LoadPublisherPublicKey(*files.publisher));
    HV_ASSIGN_OR_RETURN(const auto db, hashdb::ClientDb::Load(*files.db, publisher));
    const psi::ServedDbParams params{.shape = psi::VoucherBuilder::ShapeOf(*db),
                                     .threshold = db->params().threshold,
                                     .public_point = db->params().public_point};
    HV_RETURN_IF_ERROR(store.RememberDbParams(params));
  }
  HV_ASSIGN_OR_RETURN(const auto params, store.LoadDbParams());
  if (!params) {
    return Status::FailedPrecondition(
        "the share store serves no DB yet: start once with --db and --publisher");
  }
  if (!(params->public_point == secret.public_point())) {
    return Status::FailedPrecondition(
        "the server secret is not the one the served DB was blinded with");
  }
  return *params;
}

}  // namespace hashveil::tools::serve
