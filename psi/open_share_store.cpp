#include "hashveil/psi/share_store.h"
#include "postgres_share_store.h"

namespace hashveil::psi {

bool IsPostgresStoreUri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<ShareStore>> OpenShareStore(const std::string& location) {
  if (IsPostgresStoreUri(location)) return OpenPostgresShareStore(location);
  return ShareStore::Open(location);
}

}  // namespace hashveil::psi
