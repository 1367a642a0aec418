#include "common/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace tc {
namespace {

constexpr std::string_view kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

Result<std::string> FindExecutable(std::string_view name_or_path, std::string_view path_env) {
  std::string name(name_or_path);
  if (name.empty()) {
    return Status::InvalidArgument("no binary given");
  }
  if (name.find('/') != std::string::npos) {
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) {
      return Status::NotFound(fmt::format("binary '{}' not found: {}", name, std::strerror(errno)));
    }
    if (!IsExecutableFile(name)) {
      return Status::FailedPrecondition(fmt::format("'{}' is not an executable file", name));
    }
    return AbsolutePath(name);
  }
  std::string_view path = path_env.empty() ? kDefaultPath : path_env;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    std::string dir(path.substr(start, end - start));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) {
      return AbsolutePath(candidate);
    }
    start = end + 1;
  }
  return Status::NotFound(fmt::format("binary '{}' not found on PATH ({})", name, path));
}

Result<std::string> FindExecutable(std::string_view name_or_path) {
  const char* path = std::getenv("PATH");
  return FindExecutable(name_or_path, path == nullptr ? std::string_view() : path);
}

}  // namespace tc
