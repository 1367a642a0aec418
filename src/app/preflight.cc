#include <sys/stat.h>

#include "app/collector.h"
#include "common/paths.h"
#include "http/api_keys.h"
#include "http/tls.h"

namespace tc::app {

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
