#include <sys/stat.h>

#include <fmt/format.h>

#include "app/collector.h"
#include "common/paths.h"
#include "common/strings.h"
#include "http/api_keys.h"
#include "http/server_options.h"
#include "http/tls.h"

namespace tc::app {

namespace {

// Whether the listen address `listen` ("host:port") is a loopback address: "localhost" by
// name, else the address it binds to (ParseListenAddress, as the server does) is in
// 127.0.0.0/8 or ::1 (or ::ffff:127.x.y.z). An address that does not parse counts as loopback
// here: it is an error of its own.
bool IsLoopback(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon != std::string_view::npos && EqualsIgnoreCase(listen.substr(0, colon), "localhost")) {
    return true;
  }
  auto endpoint = http::ParseListenAddress(listen);
  if (!endpoint) {
    return true;
  }
  const boost::asio::ip::address address = endpoint->address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

}  // namespace

std::vector<std::string> PreflightWarnings(const config::Config& config) {
  std::vector<std::string> warnings;
  auto keys = http::ApiKeys::Load(config.auth);
  if (!keys || keys->enabled()) {
    return warnings;  // keys configured (or an error Preflight reports)
  }
  auto check = [&warnings](std::string_view setting, const std::string& listen) {
    if (listen.empty() || IsLoopback(listen)) {
      return;
    }
    warnings.push_back(fmt::format(
        "no API key is configured and {} \"{}\" is not a loopback address: anyone who can "
        "reach it may post traces and read them back; configure keys (auth.api_keys, "
        "auth.read_keys, auth.admin_keys or their *_file settings; docs/api.md, \"1.4 "
        "Authentication\") or listen on 127.0.0.1",
        setting, listen));
  };
  check("http.listen", config.http.listen);
  if (config.tls.client_ca_file.empty()) {
    check("tls.listen", config.tls.listen);
  }
  return warnings;
}

std::vector<Status> Preflight(const config::Config& config, const BackendChoice& choice) {
  std::vector<Status> problems;
  auto check = [&problems](Status status) {
    if (!status.ok()) problems.push_back(std::move(status));
  };
  if (auto keys = http::ApiKeys::Load(config.auth); !keys) {
    check(Status::FailedPrecondition(keys.error().message()));
  }
  // The TLS files, loaded as the server loads them.
  check(http::CheckTlsFiles(config.tls));
  if (choice.backend == config::Backend::kEmbedded) {
    check(CheckWritableFile(config.embedded.path, "embedded.path: the database file"));
  } else if (choice.spawn_child) {
    const std::string binary = config.sqld.binary.empty() ? "sqld" : config.sqld.binary;
    if (auto found = FindExecutable(binary); !found) {
      check(Status::FailedPrecondition("sqld.binary: " + found.error().message()));
    }
    // sqld keeps a directory there, tursodb a file.
    struct stat st {};
    const bool file = ::stat(config.sqld.db_path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    check(file ? CheckWritableFile(config.sqld.db_path, "sqld.db_path")
               : CheckWritableDirectory(config.sqld.db_path, "sqld.db_path"));
  }
  if (config.spool.enabled) {
    check(CheckWritableDirectory(SpoolDir(config, choice), "the spool directory"));
  }
  return problems;
}

}  // namespace tc::app
