// hashveil-messenger: the example messenger's client (README.md).
//   register  creates the user's X25519 key pair (crypto_box) and publishes its public key
//   send      per image: hashveil::Scanner makes the safety voucher on the device, the image is
//             sealed for the recipient (crypto_box_seal), both go to the relay in one upload
//   receive   downloads the inbox, opens each message, writes the images, acknowledges them
#include <httplib.h>
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hashveil/common/secret_file.h"
#include "hashveil/hashdb/keys.h"
#include "hashveil/scanner.h"
#include "sealed_image.h"
#include "wire.h"

namespace messenger {
namespace {
namespace fs = std::filesystem;
using hashveil::Result;
using hashveil::Status;

struct ClientArgs {
  std::string relay_host = "127.0.0.1";
  int relay_port = 0;
  std::string home;
  std::string user;
  // send
  std::string to;
  std::string db;
  std::string publisher;
  double min_synthetic_rate = hashveil::psi::PrivacyFloor{}.min_synthetic_rate_ppm / 1e6;
  std::vector<std::string> images;
  // receive
  std::string out;
};

fs::path KeyPairPath(const ClientArgs& args) { return fs::path(args.home) / (args.user + ".box"); }

httplib::Client Relay(const ClientArgs& args) {
  httplib::Client relay(args.relay_host, args.relay_port);
  relay.set_connection_timeout(5);
  relay.set_read_timeout(60);
  relay.set_write_timeout(60);
  return relay;
}

Result<BoxKeyPair> LoadKeyPair(const ClientArgs& args) {
  HV_ASSIGN_OR_RETURN(const auto file,
                      hashveil::ReadSecretFile(KeyPairPath(args), kBoxPublicKeyBytes + kBoxSecretKeyBytes));
  BoxKeyPair keys;
  std::copy_n(file.data(), kBoxPublicKeyBytes, keys.public_key.begin());
  std::copy_n(file.data() + kBoxPublicKeyBytes, kBoxSecretKeyBytes, keys.secret_key.data());
  return keys;
}

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "messenger: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

int RunRegister(const ClientArgs& args) {
  std::error_code error;
  fs::create_directories(args.home, error);
  BoxKeyPair keys = GenerateBoxKeyPair();
  hashveil::SecretBytes file(kBoxPublicKeyBytes + kBoxSecretKeyBytes);
  std::copy(keys.public_key.begin(), keys.public_key.end(), file.data());
  std::copy_n(keys.secret_key.data(), kBoxSecretKeyBytes, file.data() + kBoxPublicKeyBytes);
  if (Status written = hashveil::WriteSecretFile(KeyPairPath(args), file.span()); !written.ok()) {
    return Fail("key pair file", written);
  }
  auto relay = Relay(args);
  const auto answer = relay.Put("/v1/users/" + args.user,
                                std::string(keys.public_key.begin(), keys.public_key.end()),
                                "application/octet-stream");
  if (!answer || answer->status != 201) {
    return Fail("register", Status::IoError("the relay refused the registration"));
  }
  std::printf("registered %s\n", args.user.c_str());
  return 0;
}

Result<BoxPublicKey> RecipientKey(httplib::Client& relay, const std::string& user) {
  const auto answer = relay.Get("/v1/users/" + user + "/key");
  if (!answer || answer->status != 200 || answer->body.size() != kBoxPublicKeyBytes) {
    return Status::NotFound("the relay does not know the recipient");
  }
  BoxPublicKey key{};
  std::copy(answer->body.begin(), answer->body.end(), key.begin());
  return key;
}

Result<std::unique_ptr<hashveil::Scanner>> OpenScanner(const ClientArgs& args) {
  HV_ASSIGN_OR_RETURN(const auto publisher, hashveil::hashdb::LoadPublisherPublicKey(args.publisher));
  // The relay files alice's vouchers under her user name: every voucher is bound to it.
  hashveil::ScannerOptions options{.db_path = args.db,
                                   .publisher = publisher,
                                   .account_state_path = fs::path(args.home) / (args.user + ".state"),
                                   .account_name = args.user};
  options.privacy_floor.min_synthetic_rate_ppm =
      static_cast<std::uint32_t>(args.min_synthetic_rate * 1e6 + 0.5);
  // The account state's storage key; an app keeps it in the platform keystore.
  const fs::path key_path = fs::path(args.home) / (args.user + ".state.key");
  auto key = hashveil::ReadSecretFile(key_path, hashveil::psi::kAccountStateKeyBytes);
  if (key.ok()) {
    std::copy_n(key->data(), hashveil::psi::kAccountStateKeyBytes, options.account_key.data());
  } else if (key.status().code() == hashveil::StatusCode::kNotFound) {
    randombytes_buf(options.account_key.data(), options.account_key.size());
    HV_RETURN_IF_ERROR(hashveil::WriteSecretFile(key_path, options.account_key.span()));
  } else {
    return key.status();
  }
  return hashveil::Scanner::Create(options);
}

Status SendImage(httplib::Client& relay, const ClientArgs& args, const hashveil::Scanner& scanner,
                 const BoxPublicKey& recipient, const fs::path& path) {
  PlainImage image{.file_name = path.filename().string()};
  HV_ASSIGN_OR_RETURN(image.bytes, hashveil::ReadFileBytes(path, kMaxImageBytes));
  Upload upload;
  HV_ASSIGN_OR_RETURN(upload.voucher, scanner.Scan(image.bytes, {}));
  HV_ASSIGN_OR_RETURN(upload.sealed_image, SealImage(image, recipient));
  const std::vector<std::uint8_t> body = EncodeUpload(upload);
  const auto answer = relay.Post("/v1/messages/" + args.to, {{"X-Messenger-User", args.user}},
                                 reinterpret_cast<const char*>(body.data()), body.size(),
                                 "application/octet-stream");
  if (!answer) return Status::IoError("the relay did not answer");
  if (answer->status != 201) {
    return Status::IoError("the relay refused the message (HTTP " + std::to_string(answer->status) + ")");
  }
  return Status::Ok();
}

int RunSend(const ClientArgs& args) {
  auto scanner = OpenScanner(args);
  if (!scanner.ok()) return Fail("scanner", scanner.status());
  auto relay = Relay(args);
  const auto recipient = RecipientKey(relay, args.to);
  if (!recipient.ok()) return Fail("send", recipient.status());
  int failed = 0;
  for (std::size_t i = 0; i < args.images.size(); ++i) {
    if (Status sent = SendImage(relay, args, **scanner, *recipient, args.images[i]); !sent.ok()) {
      std::fprintf(stderr, "messenger: image %zu: %s\n", i + 1, sent.ToString().c_str());
      ++failed;
    }
  }
  std::printf("sent=%zu failed=%d\n", args.images.size() - failed, failed);
  return failed == 0 ? 0 : 1;
}

// Never overwrites: a second image of the same name gets the message id in front.
fs::path OutputPath(const fs::path& out, const PlainImage& image, std::uint64_t id) {
  const fs::path path = out / image.file_name;
  if (!fs::exists(path)) return path;
  return out / (std::to_string(id) + "-" + image.file_name);
}

int RunReceive(const ClientArgs& args) {
  const auto keys = LoadKeyPair(args);
  if (!keys.ok()) return Fail("key pair file", keys.status());
  std::error_code error;
  fs::create_directories(args.out, error);
  auto relay = Relay(args);
  int received = 0, failed = 0;
  while (true) {
    const auto answer = relay.Get("/v1/inbox/" + args.user);
    if (!answer || answer->status != 200) return Fail("receive", Status::IoError("inbox download failed"));
    const auto messages = DecodeInbox(
        {reinterpret_cast<const std::uint8_t*>(answer->body.data()), answer->body.size()});
    if (!messages.ok()) return Fail("receive", messages.status());
    if (messages->empty()) break;
    for (const InboxMessage& message : *messages) {
      auto image = OpenSealedImage(message.sealed_image, *keys);
      Status saved = image.status();
      if (saved.ok()) saved = hashveil::WriteFileAtomically(OutputPath(args.out, *image, message.id), image->bytes);
      if (!saved.ok()) {
        std::fprintf(stderr, "messenger: message %llu: %s\n",
                     static_cast<unsigned long long>(message.id), saved.ToString().c_str());
        ++failed;
        continue;  // left in the inbox
      }
      relay.Delete("/v1/inbox/" + args.user + "/" + std::to_string(message.id));
      ++received;
    }
    if (failed > 0) break;  // what failed stays in the inbox: do not fetch it again now
  }
  std::printf("received=%d failed=%d\n", received, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace messenger

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  messenger::ClientArgs args;
  CLI::App app{"hashveil-messenger: the example messenger's client"};
  app.require_subcommand(1);
  app.add_option("--relay-host", args.relay_host, "Relay address")->capture_default_str();
  app.add_option("--relay-port", args.relay_port, "Relay port")->required();
  app.add_option("--home", args.home, "Directory for this device's keys and account state")
      ->required();
  const auto user_option = [&args](CLI::App* cmd) {
    cmd->add_option("--user", args.user, "Your user name ([a-z0-9_-], 1-64)")
        ->required()
        ->check([](const std::string& user) {
          return messenger::IsValidUserName(user) ? "" : "user names are 1-64 of [a-z0-9_-]";
        });
  };
  int code = 0;
  CLI::App* reg = app.add_subcommand("register", "Create your key pair and publish it");
  user_option(reg);
  reg->callback([&] { code = messenger::RunRegister(args); });
  CLI::App* send = app.add_subcommand("send", "Send images, end-to-end encrypted, with vouchers");
  user_option(send);
  send->add_option("--to", args.to, "Recipient")->required();
  send->add_option("--db", args.db, "Client DB (.hvdb)")->required();
  send->add_option("--publisher", args.publisher, "The DB publisher's public key")->required();
  send->add_option("--min-synthetic-rate", args.min_synthetic_rate,
                   "Refuse a DB whose synthetic rate is lower (the client's privacy floor)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  send->add_option("images", args.images, "Image files")->required();
  send->callback([&] { code = messenger::RunSend(args); });
  CLI::App* receive = app.add_subcommand("receive", "Download, decrypt and save your messages");
  user_option(receive);
  receive->add_option("--out", args.out, "Directory for the received images")->required();
  receive->callback([&] { code = messenger::RunReceive(args); });
  CLI11_PARSE(app, argc, argv);
  return code;
}
