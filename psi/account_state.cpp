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
constexpr std::string_view kStorageDomain = "hashveil/account-state/v1";

std::span<const std::uint8_t> StorageAd() {
  return {reinterpret_cast<const std::uint8_t*>(kStorageDomain.data()), kStorageDomain.size()};
}

class AccountStateImpl final : public AccountState {
 public:
  AccountStateImpl(const AccountParameters& params, bool created,
                   std::unique_ptr<AccountStateFile> file, const AccountStateKey& storage_key,
                   codec::Contents contents, RandomSource& random)
      : params_(params),
        created_(created),
        file_(std::move(file)),
        storage_key_(storage_key.Clone()),
        contents_(std::move(contents)),
        adkey_(DeriveKeyFromScalar(contents_.polynomial.secret())),
        random_(random) {}

  // Seals the current contents into the file. Caller holds mutex_ (or is the only owner).
  Status Persist() {
    const SecretBytes plaintext = codec::Serialize(contents_);
    return file_->WriteSealed(Seal(storage_key_, plaintext.span(), StorageAd(), random_));
  }

  const AccountParameters& params() const override { return params_; }
  bool created() const override { return created_; }
  const ShamirPolynomial& polynomial() const override { return contents_.polynomial; }
  const AeadKey& adkey() const override { return adkey_; }
  const PrfKey& fkey() const override { return contents_.fkey; }
  const DetectableHashKey& hkey() const override { return contents_.hkey; }

  std::uint32_t synthetic_count() const override {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint32_t>(contents_.synthetic_images.size());
  }

  ImageChoices ChoicesFor(const matcher::MatchKey& base_key) const override {
    return DeriveImageChoices(contents_.fkey, base_key, params_.synthetic_max);
  }

  Result<bool> DecideSynthetic(const ImageChoices& choices) override {
    std::lock_guard lock(mutex_);
    // Scan the whole record without stopping early, so timing does not tell where (or whether)
    // the image is in it.
    bool seen = false;
    for (const BaseKeyTag& tag : contents_.synthetic_images) {
      seen |= ConstantTimeEqual(tag, choices.base_key_tag);
    }
    if (seen) return true;
    if (choices.synthetic_draw_ppm >= params_.synthetic_rate_ppm ||
        contents_.synthetic_images.size() >= params_.synthetic_max) {
      return false;
    }
    contents_.synthetic_images.push_back(choices.base_key_tag);
    if (Status status = Persist(); !status.ok()) {
      contents_.synthetic_images.pop_back();
      return status.WithContext("recording a synthetic image");
    }
    return true;
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
  const AccountParameters params_;
  const bool created_;
  std::unique_ptr<AccountStateFile> file_;
  const AccountStateKey storage_key_;
  // Everything but synthetic_images is immutable; synthetic_images, file_ and random_ are
  // guarded by mutex_.
  codec::Contents contents_;
  const AeadKey adkey_;
  RandomSource& random_;
  mutable std::mutex mutex_;
};

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
  auto state = std::make_unique<AccountStateImpl>(params, /*created=*/false, std::move(file),
                                                  storage_key, std::move(contents), random);
  if (Status status = state->Persist(); !status.ok()) {
    state.reset();
    std::filesystem::remove(path, error);  // leave no half-made state behind
    return status.WithContext("writing the imported account state");
  }
  return std::unique_ptr<AccountState>(std::move(state));
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

Result<std::unique_ptr<AccountState>> AccountState::OpenOrCreate(const std::filesystem::path& path,
                                                                 const AccountStateKey& key,
                                                                 const AccountParameters& params,
                                                                 RandomSource& random) {
  HV_RETURN_IF_ERROR(params.Validate());
  HV_ASSIGN_OR_RETURN(auto file, AccountStateFile::Open(path));
  HV_ASSIGN_OR_RETURN(auto sealed, file->ReadSealed());
  if (!sealed.has_value()) {
    HV_ASSIGN_OR_RETURN(codec::Contents contents, codec::Generate(params, random));
    auto state = std::make_unique<AccountStateImpl>(params, /*created=*/true, std::move(file),
                                                    key, std::move(contents), random);
    HV_RETURN_IF_ERROR(state->Persist().WithContext("creating the account state"));
    return std::unique_ptr<AccountState>(std::move(state));
  }
  auto plaintext = Open(key, *sealed, StorageAd());
  if (!plaintext.ok()) {
    return Status::Corrupt("account state does not open: wrong key or altered file");
  }
  HV_ASSIGN_OR_RETURN(codec::Contents contents, codec::Parse(plaintext->span(), params));
  return std::unique_ptr<AccountState>(std::make_unique<AccountStateImpl>(
      params, /*created=*/false, std::move(file), key, std::move(contents), random));
}

Result<std::unique_ptr<AccountState>> AccountState::Import(std::span<const std::uint8_t> blob,
                                                           const AccountStateKey& transport_key,
                                                           const std::filesystem::path& path,
                                                           const AccountStateKey& storage_key,
                                                           const AccountParameters& params,
                                                           RandomSource& random) {
  return CreateFromImport(path, storage_key, params, random,
                          [&] { return codec::ImportWithKey(blob, transport_key, params); });
}

Result<std::unique_ptr<AccountState>> AccountState::ImportWithPassphrase(
    std::span<const std::uint8_t> blob, std::string_view passphrase,
    const std::filesystem::path& path, const AccountStateKey& storage_key,
    const AccountParameters& params, RandomSource& random) {
  return CreateFromImport(path, storage_key, params, random, [&] {
    return codec::ImportWithPassphrase(blob, passphrase, params);
  });
}

}  // namespace hashveil::psi
