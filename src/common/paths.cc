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

namespace {

std::string UserName() { return fmt::format("uid {}", ::getuid()); }

// kFailedPrecondition unless `dir` is a directory this user may create files in.
Status CheckDirectoryWritable(const std::string& dir, std::string_view what,
                              std::string_view for_path) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::FailedPrecondition(fmt::format("{} {}: directory {} cannot be used: {}", what,
                                                  for_path, dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(
        fmt::format("{} {}: {} is not a directory", what, for_path, dir));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::FailedPrecondition(fmt::format("{} {}: cannot create files in {} as {}: {}",
                                                  what, for_path, dir, UserName(),
                                                  std::strerror(errno)));
  }
  return Status::Ok();
}

std::string ParentOf(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

Status CheckWritableFile(const std::string& path, std::string_view what) {
  if (path.empty()) return Status::FailedPrecondition(fmt::format("no {} path given", what));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition(fmt::format("{} {} is a directory", what, path));
    }
    if (::access(path.c_str(), R_OK | W_OK) != 0) {
      return Status::FailedPrecondition(fmt::format("{} {} is not writable by {}: {}", what, path,
                                                    UserName(), std::strerror(errno)));
    }
  } else if (errno != ENOENT) {
    return Status::FailedPrecondition(
        fmt::format("{} {} cannot be used: {}", what, path, std::strerror(errno)));
  }
  return CheckDirectoryWritable(ParentOf(path), what, path);
}

Status CheckWritableDirectory(const std::string& path, std::string_view what) {
  if (path.empty()) return Status::FailedPrecondition(fmt::format("no {} path given", what));
  std::string dir = path;
  struct stat st {};
  // The nearest existing ancestor decides: create_directories makes the rest in it.
  while (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::FailedPrecondition(
          fmt::format("{} {}: {} cannot be used: {}", what, path, dir, std::strerror(errno)));
    }
    const std::string parent = ParentOf(dir);
    if (parent == dir) break;
    dir = parent;
  }
  return CheckDirectoryWritable(dir, what, path);
}

}  // namespace tc
