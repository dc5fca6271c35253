#include "hashveil/psi/share_store.h"
#include "postgres_share_store.h"
#include "sharded_share_store.h"

namespace hashveil::psi {

bool IsPostgresStoreUri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<ShareStore>> OpenShareStore(const std::string& location) {
  if (!IsPostgresStoreUri(location)) return ShareStore::Open(location);
  // A URI names a directory; without a bucket map it is the whole store.
  HV_ASSIGN_OR_RETURN(PostgresDirectory directory, OpenPostgresDirectory(location));
  if (directory.map.empty()) return std::move(directory.store);
  return MakeShardedShareStore(std::move(directory.store), directory.bucket_key,
                               std::move(directory.map));
}

}  // namespace hashveil::psi
