#include "postgres_share_store_schema.h"

#include <algorithm>
#include <string>

namespace hashveil::psi {
namespace {

// kMigrations[v] takes a database from schema v to v + 1; version 0 is a database without one.
// Names are compared as bytes (COLLATE "C"), as SQLite does, so ListAccounts sorts alike.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE store_meta ("
    "  id integer PRIMARY KEY CHECK (id = 1), schema_version integer NOT NULL,"
    "  bucket_key bytea NOT NULL);"
    "CREATE TABLE served_dbs ("
    "  epoch bigint PRIMARY KEY, entry_count bigint NOT NULL, synthetic_max bigint NOT NULL,"
    "  threshold bigint NOT NULL, synthetic_rate_ppm bigint, key_bits bigint,"
    "  public_point bytea NOT NULL, db_digest bytea NOT NULL, accepted_until bigint);"
    "CREATE TABLE accounts ("
    "  bucket integer NOT NULL, name text COLLATE \"C\" NOT NULL,"
    "  refused bigint NOT NULL DEFAULT 0, inconsistent bigint NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (bucket, name));"
    "CREATE TABLE vouchers ("
    "  bucket integer NOT NULL, account text COLLATE \"C\" NOT NULL, voucher_id bytea NOT NULL,"
    "  epoch bigint NOT NULL, PRIMARY KEY (bucket, account, voucher_id));"
    "CREATE TABLE candidates ("
    "  bucket integer NOT NULL, account text COLLATE \"C\" NOT NULL,"
    "  seq bigint GENERATED ALWAYS AS IDENTITY, voucher_id bytea NOT NULL,"
    "  share_x bytea NOT NULL, share_y bytea NOT NULL, tag bytea NOT NULL, adct bytea NOT NULL,"
    "  epoch bigint NOT NULL, PRIMARY KEY (bucket, account, seq),"
    "  UNIQUE (bucket, account, voucher_id, share_x));",
    // 1 -> 2: dirty marks. Every account that already has candidates starts dirty, so the
    // first run after the upgrade processes it as a run before did.
    "CREATE SEQUENCE dirty_marks;"
    "CREATE TABLE dirty_accounts ("
    "  bucket integer NOT NULL, account text COLLATE \"C\" NOT NULL, mark bigint NOT NULL,"
    "  PRIMARY KEY (bucket, account));"
    "INSERT INTO dirty_accounts (bucket, account, mark)"
    "  SELECT bucket, account, nextval('dirty_marks') FROM candidates GROUP BY bucket, account;",
};
static_assert(std::size(kMigrations) == kPostgresShareStoreSchemaVersion);

// Held until the transaction ends: serialises the schema work of concurrent Opens. Any
// constant no other user of the database takes ("hvschema" in ASCII).
constexpr const char* kLockSchema = "SELECT pg_advisory_xact_lock(7522535857432538465)";

constexpr PgStatement kHasMeta{"hv_schema_has_meta",
                               "SELECT count(*) FROM pg_catalog.pg_tables "
                               "WHERE schemaname = current_schema() AND tablename = 'store_meta'"};
constexpr PgStatement kReadMeta{"hv_schema_read_meta",
                                "SELECT schema_version::bigint, bucket_key FROM store_meta"};
constexpr PgStatement kInsertMeta{
    "hv_schema_insert_meta",
    "INSERT INTO store_meta (id, schema_version, bucket_key) VALUES (1, $1, $2)"};
constexpr PgStatement kSetVersion{"hv_schema_set_version",
                                  "UPDATE store_meta SET schema_version = $1"};

}  // namespace

Result<BucketKey> CreateOrMigratePostgresSchema(PgConnection& connection) {
  HV_RETURN_IF_ERROR(connection.Execute(kLockSchema, "locking"));
  HV_ASSIGN_OR_RETURN(const PgRows has_meta, connection.Run(kHasMeta, PgParams(), "reading"));
  HV_ASSIGN_OR_RETURN(const std::int64_t meta_tables, has_meta.Int(0, 0));
  std::int64_t found = 0;
  if (meta_tables != 0) {
    HV_ASSIGN_OR_RETURN(const PgRows meta, connection.Run(kReadMeta, PgParams(), "reading"));
    if (meta.size() != 1) return Status::Corrupt("share store's store_meta is malformed");
    HV_ASSIGN_OR_RETURN(found, meta.Int(0, 0));
  }
  if (found < 0) return Status::Corrupt("share store's store_meta is malformed");
  if (found > kPostgresShareStoreSchemaVersion) {
    return Status::Unsupported("share store has schema version " + std::to_string(found) +
                               ", newer than this hashveil reads (" +
                               std::to_string(kPostgresShareStoreSchemaVersion) +
                               "): run a newer hashveil");
  }
  for (std::int64_t version = found; version < kPostgresShareStoreSchemaVersion; ++version) {
    HV_RETURN_IF_ERROR(connection.Execute(kMigrations[version], "updating the schema of"));
  }
  if (found == 0) {
    HV_ASSIGN_OR_RETURN(const BucketKey key, RandomBucketKey());
    HV_RETURN_IF_ERROR(
        connection.Run(kInsertMeta, PgParams().Int(0).Bytes(key), "writing").status());
  }
  HV_RETURN_IF_ERROR(
      connection.Run(kSetVersion, PgParams().Int(kPostgresShareStoreSchemaVersion), "writing")
          .status());
  HV_ASSIGN_OR_RETURN(const PgRows meta, connection.Run(kReadMeta, PgParams(), "reading"));
  BucketKey key{};
  if (meta.size() != 1 || meta.Bytes(0, 1).size() != key.size()) {
    return Status::Corrupt("share store's store_meta is malformed");
  }
  std::ranges::copy(meta.Bytes(0, 1), key.begin());
  return key;
}

}  // namespace hashveil::psi
