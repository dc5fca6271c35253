#include "hashveil/psi/account_state.h"

#include <mutex>
#include <string>
#include <system_error>

#include "account_state_codec.h"
#include "account_state_file.h"

namespace hashveil::psi {
namespace {

namespace codec = account_state_codec;

// The associated data of the sealed row: binds the ciphertext to its role and format.
constexpr std::string_view kStorageDomain = "hashveil/account-state/v2";
// A state written by the first format opens only under its own domain: recognised, not misread.
constexpr std::string_view kStorageDomainV1 = "hashveil/account-state/v1";

std::span<const std::uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class AccountStateImpl final : public AccountState {
 public:
  AccountStateImpl(bool created, bool rotated, std::unique_ptr<AccountStateFile> file,
                   const AccountStateKey& storage_key, codec::Contents contents,
                   codec::Generation generation, RandomSource& random)
      : created_(created),
        rotated_(rotated),
        file_(std::move(file)),
        storage_key_(storage_key.Clone()),
        contents_(std::move(contents)),
        generation_(std::move(generation)),
        adkey_(DeriveKeyFromScalar(generation_.polynomial.secret())),
        random_(random) {}

  // Seals the current contents into the file. Caller holds mutex_ (or is the only owner).
  Status Persist() {
    const SecretBytes plaintext = codec::Serialize(contents_);
    return file_->WriteSealed(Seal(storage_key_, plaintext.span(), AsBytes(kStorageDomain),
                                   random_));
  }

  const AccountParameters& params() const override { return contents_.pinned; }
  bool created() const override { return created_; }
  bool rotated() const override { return rotated_; }
  const ShamirPolynomial& polynomial() const override { return generation_.polynomial; }
  const AeadKey& adkey() const override { return adkey_; }
  const PrfKey& fkey() const override { return generation_.fkey; }
  const DetectableHashKey& hkey() const override { return generation_.hkey; }

  std::uint32_t synthetic_count() const override {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint32_t>(contents_.synthetic_images.size());
  }

  std::uint64_t epoch_floor() const override {
    std::lock_guard lock(mutex_);
    return contents_.epoch_floor;
  }

  Status AcceptDbEpoch(std::uint64_t epoch) override {
    std::lock_guard lock(mutex_);
    if (epoch < contents_.epoch_floor) {
      return Status::FailedPrecondition(
          "client DB is older than one this account already used (rollback refused)");
    }
    if (epoch == contents_.epoch_floor) return Status::Ok();
    const std::uint64_t previous = contents_.epoch_floor;
    contents_.epoch_floor = epoch;
    if (Status status = Persist(); !status.ok()) {
      contents_.epoch_floor = previous;
      return status.WithContext("recording the DB epoch");
    }
    return Status::Ok();
  }

  ImageChoices ChoicesFor(const matcher::MatchKey& base_key) const override {
    return DeriveImageChoices(generation_.fkey, base_key, contents_.pinned.synthetic_max);
  }

  KeyIdentity IdentityOf(const matcher::MatchKey& key) const override {
    return DeriveKeyIdentity(generation_.fkey, key);
  }

  Result<ImageRole> DecideRole(const ImageChoices& choices) override {
    if (choices.synthetic_draw_ppm >= contents_.pinned.synthetic_rate_ppm) return ImageRole::kReal;
    std::lock_guard lock(mutex_);
    // Scan the whole record without stopping early, so timing does not tell where (or whether)
    // the image is in it.
    bool seen = false;
    for (const BaseKeyTag& tag : contents_.synthetic_images) {
      seen |= ConstantTimeEqual(tag, choices.base_key_tag);
    }
    if (seen) return ImageRole::kSynthetic;
    if (contents_.synthetic_images.size() >= contents_.pinned.synthetic_max) {
      return ImageRole::kWithheld;
    }
    contents_.synthetic_images.push_back(choices.base_key_tag);
    if (Status status = Persist(); !status.ok()) {
      contents_.synthetic_images.pop_back();
      return status.WithContext("recording a synthetic image");
    }
    return ImageRole::kSynthetic;
  }

  std::vector<std::uint8_t> Export(const AccountStateKey& transport_key,
                                   RandomSource& random) const override {
    std::lock_guard lock(mutex_);
    return codec::ExportWithKey(contents_, transport_key, random);
  }

  Result<std::vector<std::uint8_t>> ExportWithPassphrase(std::string_view passphrase,
                                                         RandomSource& random) const override {
    std::lock_guard lock(mutex_);
    return codec::ExportWithPassphrase(contents_, passphrase, random);
  }

 private:
  const bool created_;
  const bool rotated_;
  std::unique_ptr<AccountStateFile> file_;
  const AccountStateKey storage_key_;
  // root and pinned are immutable; epoch_floor, synthetic_images, file_ and random_ are guarded
  // by mutex_.
  codec::Contents contents_;
  const codec::Generation generation_;
  const AeadKey adkey_;
  RandomSource& random_;
  mutable std::mutex mutex_;
};

// Pins `contents` to `params`, rotating when they differ: the synthetic record belonged to the
// old parameters' secrets. Returns whether it rotated.
bool PinTo(codec::Contents& contents, const AccountParameters& params) {
  if (contents.pinned == params) return false;
  contents.pinned = params;
  contents.synthetic_images.clear();
  return true;
}

// The state over `contents` pinned to `params`, persisted when created, imported or rotated. An
// import whose first write fails leaves no file behind (an opened state keeps its old file).
Result<std::unique_ptr<AccountState>> MakeState(const std::filesystem::path& path,
                                                std::unique_ptr<AccountStateFile> file,
                                                const AccountStateKey& storage_key,
                                                codec::Contents contents,
                                                const AccountParameters& params, bool created,
                                                bool imported, RandomSource& random) {
  const bool rotated = PinTo(contents, params);
  HV_ASSIGN_OR_RETURN(codec::Generation generation, codec::DeriveGeneration(contents));
  auto state = std::make_unique<AccountStateImpl>(created, rotated, std::move(file), storage_key,
                                                  std::move(contents), std::move(generation),
                                                  random);
  if (created || imported || rotated) {
    if (Status status = state->Persist(); !status.ok()) {
      if (imported) {
        state.reset();
        std::error_code error;
        std::filesystem::remove(path, error);  // leave no half-made state behind
      }
      return status.WithContext("writing the account state");
    }
  }
  return std::unique_ptr<AccountState>(std::move(state));
}

// Writes the contents `decode` returns as a new state at `path`, which must not exist yet. The
// target is checked before decoding, which may stretch a passphrase (about a second).
template <typename Decode>
Result<std::unique_ptr<AccountState>> CreateFromImport(const std::filesystem::path& path,
                                                       const AccountStateKey& storage_key,
                                                       const AccountParameters& params,
                                                       RandomSource& random, Decode decode) {
  HV_RETURN_IF_ERROR(params.Validate());
  std::error_code error;
  if (std::filesystem::exists(path, error) || error) {
    return Status::FailedPrecondition("an account state already exists at the import target");
  }
  HV_ASSIGN_OR_RETURN(codec::Contents contents, decode());
  HV_ASSIGN_OR_RETURN(auto file, AccountStateFile::Open(path));
  return MakeState(path, std::move(file), storage_key, std::move(contents), params,
                   /*created=*/false, /*imported=*/true, random);
}

}  // namespace

Status AccountParameters::Validate() const {
  if (threshold < 2 || threshold > kMaxThreshold) {
    return Status::InvalidInput("threshold must be between 2 and " +
                                std::to_string(kMaxThreshold));
  }
  if (synthetic_max > kMaxSyntheticTags) {
    return Status::InvalidInput("synthetic maximum must be at most " +
                                std::to_string(kMaxSyntheticTags));
  }
  if (synthetic_rate_ppm > kPartsPerMillion) {
    return Status::InvalidInput("synthetic rate must be at most 10^6 ppm");
  }
  return Status::Ok();
}

Status CheckPrivacyFloor(const AccountParameters& params, const PrivacyFloor& floor) {
  if (params.threshold < floor.min_threshold) {
    return Status::FailedPrecondition("client DB's threshold is below this client's floor of " +
                                      std::to_string(floor.min_threshold));
  }
  if (params.synthetic_rate_ppm < floor.min_synthetic_rate_ppm) {
    return Status::FailedPrecondition("client DB's synthetic rate is below this client's floor of " +
                                      std::to_string(floor.min_synthetic_rate_ppm) + " ppm");
  }
  if (floor.synthetic_max_covers_threshold && params.synthetic_max + 1 < params.threshold) {
    return Status::FailedPrecondition(
        "client DB's synthetic cap is below its threshold minus one (this client's floor)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<AccountState>> AccountState::OpenOrCreate(const std::filesystem::path& path,
                                                                 const AccountStateKey& key,
                                                                 const AccountParameters& params,
                                                                 RandomSource& random) {
  HV_RETURN_IF_ERROR(params.Validate());
  HV_ASSIGN_OR_RETURN(auto file, AccountStateFile::Open(path));
  HV_ASSIGN_OR_RETURN(auto sealed, file->ReadSealed());
  if (!sealed.has_value()) {
    return MakeState(path, std::move(file), key, codec::Generate(params, random), params,
                     /*created=*/true, /*imported=*/false, random);
  }
  auto plaintext = Open(key, *sealed, AsBytes(kStorageDomain));
  if (!plaintext.ok()) {
    if (Open(key, *sealed, AsBytes(kStorageDomainV1)).ok()) {
      return Status::Unsupported(
          "account state was written by an older hashveil (format 1): create a new one");
    }
    return Status::Corrupt("account state does not open: wrong key or altered file");
  }
  HV_ASSIGN_OR_RETURN(codec::Contents contents, codec::Parse(plaintext->span()));
  return MakeState(path, std::move(file), key, std::move(contents), params, /*created=*/false,
                   /*imported=*/false, random);
}

Result<std::unique_ptr<AccountState>> AccountState::Import(std::span<const std::uint8_t> blob,
                                                           const AccountStateKey& transport_key,
                                                           const std::filesystem::path& path,
                                                           const AccountStateKey& storage_key,
                                                           const AccountParameters& params,
                                                           RandomSource& random) {
  return CreateFromImport(path, storage_key, params, random,
                          [&] { return codec::ImportWithKey(blob, transport_key); });
}

Result<std::unique_ptr<AccountState>> AccountState::ImportWithPassphrase(
    std::span<const std::uint8_t> blob, std::string_view passphrase,
    const std::filesystem::path& path, const AccountStateKey& storage_key,
    const AccountParameters& params, RandomSource& random) {
  return CreateFromImport(path, storage_key, params, random, [&] {
    return codec::ImportWithPassphrase(blob, passphrase);
  });
}

}  // namespace hashveil::psi
