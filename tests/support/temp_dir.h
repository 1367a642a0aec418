#pragma once

#include <string>

namespace tc::testing {

// A fresh directory under $TMPDIR (or /tmp); removed with its contents on destruction unless
// TC_KEEP_TEST_DIRS is set (for post-mortems).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A loopback TCP port that was free a moment ago, below the kernel's ephemeral range (so no
// bind(0) or outgoing connection takes it between a server's stop and its restart).
int FreePort();

// Reads a whole file; empty if missing.
std::string ReadFile(const std::string& path);

}  // namespace tc::testing
