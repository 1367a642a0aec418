#pragma once

// UniqueFd: owns one file descriptor (R.1: RAII for every fd). Not thread-safe; move-only.

#include <unistd.h>

#include <utility>

namespace tc {

// Owns one file descriptor and closes it on destruction, so no path leaks it or closes it
// twice. -1 = empty. The close(2) result is ignored: a caller that must see a close error
// (a file whose writes are only known durable once closed) calls Release() and closes it.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives the descriptor up without closing it; empty afterwards.
  [[nodiscard]] int Release() { return std::exchange(fd_, -1); }
  // Closes the descriptor held (if any) and holds `fd` instead.
  void Reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace tc
