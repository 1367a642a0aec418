// ReadPool (read_pool.h).

#include "read_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <string>

#include "common/thread_name.h"

namespace tc::http {
namespace {

// How much less the read threads count for the scheduler than the rest of the process.
constexpr int kReadNice = 10;

}  // namespace

ReadPool::ReadPool(uint32_t threads, uint32_t max_in_flight)
    : max_in_flight_(max_in_flight), work_(boost::asio::make_work_guard(context_)) {
  for (uint32_t i = 0; i < std::max<uint32_t>(threads, 1); ++i) {
    threads_.emplace_back([this, i] {
      SetThreadName("tc-read-" + std::to_string(i));
      // Linux: a thread's nice value is its own (setpriority on its tid). Raising it needs no
      // privilege; if it fails the reads just compete evenly.
      (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kReadNice);
      context_.run();
    });
  }
}

ReadPool::~ReadPool() { Stop(); }

bool ReadPool::TryPost(std::function<void()> job) {
  if (stopped_.load()) return false;
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    return false;
  }
  boost::asio::post(context_, [this, job = std::move(job)] {
    job();
    in_flight_.fetch_sub(1);
  });
  return true;
}

void ReadPool::Stop() {
  if (stopped_.exchange(true)) return;
  work_.reset();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace tc::http
