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
    // 2 -> 3: shards. bucket_map is read in the directory only (no rows: it holds every
    // bucket). held_buckets fences every database: an account row of a bucket it does not hold
    // is refused, so a process still routing by an old map cannot put an account on two
    // shards. A writer holds ROW SHARE on held_buckets until it commits, and a map change takes
    // EXCLUSIVE, so the change waits for writers in flight and the writers after it see it (the
    // SELECT after the LOCK reads a new snapshot). Every store starts holding every bucket.
    "CREATE TABLE bucket_map ("
    "  first_bucket integer PRIMARY KEY, last_bucket integer NOT NULL, shard text NOT NULL,"
    "  CHECK (0 <= first_bucket AND first_bucket <= last_bucket AND last_bucket < 1024),"
    "  EXCLUDE USING gist (int4range(first_bucket, last_bucket, '[]') WITH &&));"
    "CREATE TABLE held_buckets ("
    "  first_bucket integer PRIMARY KEY, last_bucket integer NOT NULL,"
    "  CHECK (0 <= first_bucket AND first_bucket <= last_bucket AND last_bucket < 1024),"
    "  EXCLUDE USING gist (int4range(first_bucket, last_bucket, '[]') WITH &&));"
    "INSERT INTO held_buckets (first_bucket, last_bucket) VALUES (0, 1023);"
    "CREATE FUNCTION hv_check_held_bucket() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  LOCK TABLE held_buckets IN ROW SHARE MODE;"
    "  IF NOT EXISTS (SELECT 1 FROM held_buckets"
    "                 WHERE NEW.bucket BETWEEN first_bucket AND last_bucket) THEN"
    "   RAISE EXCEPTION 'bucket not held by this shard' USING ERRCODE = 'HV001';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER accounts_in_held_bucket BEFORE INSERT OR UPDATE OF bucket ON accounts"
    "  FOR EACH ROW EXECUTE FUNCTION hv_check_held_bucket();",
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
constexpr PgStatement kReadBucketMap{
    "hv_schema_read_bucket_map",
    "SELECT first_bucket::bigint, last_bucket::bigint, shard FROM bucket_map ORDER BY 1"};

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

Result<std::vector<BucketRange>> ReadBucketMap(PgConnection& connection) {
  HV_ASSIGN_OR_RETURN(const PgRows rows, connection.Run(kReadBucketMap, PgParams(), "reading"));
  std::vector<BucketRange> ranges;
  for (int row = 0; row < rows.size(); ++row) {
    HV_ASSIGN_OR_RETURN(const std::int64_t first, rows.Int(row, 0));
    HV_ASSIGN_OR_RETURN(const std::int64_t last, rows.Int(row, 1));
    // The table's CHECK keeps both in [0, 1024).
    ranges.push_back({.first = static_cast<std::uint32_t>(first),
                      .last = static_cast<std::uint32_t>(last),
                      .shard = rows.Text(row, 2)});
  }
  return ranges;
}

}  // namespace hashveil::psi
