#pragma once

// The threads the read API's queries run on (internal to src/http/): a few threads
// (http.read_threads) at a lower scheduling priority than the io threads and the writer, so a
// read loop of any number of clients takes the CPU ingest leaves over rather than ingest's
// share; and a bound on the reads queued or running (http.max_reads_in_flight), beyond which a
// read is refused (503) instead of waiting without limit. The io thread that parsed a request
// posts its query here and gets the answer back on its strand.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace tc::http {

class ReadPool {
 public:
  ReadPool(uint32_t threads, uint32_t max_in_flight);
  ~ReadPool();  // Stop()
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // Runs `job` on a read thread; false (nothing runs) when max_in_flight jobs are queued or
  // running, or after Stop(). Thread-safe.
  bool TryPost(std::function<void()> job);
  // Runs what was posted, then joins the threads. Idempotent.
  void Stop();

 private:
  const uint32_t max_in_flight_;
  std::atomic<uint32_t> in_flight_{0};
  std::atomic<bool> stopped_{false};
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace tc::http
