#include "loadgen/http_load.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace tc::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kIoTimeout = std::chrono::seconds(60);
constexpr auto kReconnectPause = std::chrono::milliseconds(50);

// State shared by the connections of one run.
struct Shared {
  const LoadSpec* spec = nullptr;
  tcp::endpoint endpoint;
  Clock::time_point start;
  Clock::time_point deadline;
  std::chrono::nanoseconds interval{0};  // open loop
  std::atomic<uint64_t> next{0};         // requests issued (closed) or slots taken (open)
  std::mutex mu;
  LoadResult result;  // guarded by mu; merged into by each connection when it stops
};

// "accepted":N in a 207 body.
uint64_t AcceptedIn(const std::string& body) {
  constexpr std::string_view kKey = "\"accepted\":";
  const size_t at = body.find(kKey);
  if (at == std::string::npos) {
    return 0;
  }
  uint64_t n = 0;
  const char* begin = body.data() + at + kKey.size();
  std::from_chars(begin, body.data() + body.size(), n);
  return n;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Shared* shared, uint32_t number)
      : shared_(shared),
        number_(number),
        stream_(asio::make_strand(io)),
        timer_(stream_.get_executor()) {
    const LoadSpec& spec = *shared->spec;
    req_.method(http::verb::post);
    req_.target(spec.target);
    req_.version(11);
    req_.set(http::field::host, "127.0.0.1");
    req_.set(http::field::content_type, spec.workload->content_type);
    req_.keep_alive(true);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoConnect(); });
  }

 private:
  void DoConnect() {
    stream_.expires_after(kIoTimeout);
    stream_.async_connect(shared_->endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->Fail("connect");
        return;
      }
      self->stream_.socket().set_option(tcp::no_delay(true));
      self->Next();
    });
  }

  void Next() {
    const LoadSpec& spec = *shared_->spec;
    const auto now = Clock::now();
    if (now >= shared_->deadline) {
      Stop();
      return;
    }
    if (spec.rate <= 0) {
      const uint64_t issued = shared_->next.fetch_add(1);
      if (spec.max_requests != 0 && issued >= spec.max_requests) {
        Stop();
        return;
      }
      due_ = now;
      Send();
      return;
    }
    const uint64_t slot = shared_->next.fetch_add(1);
    due_ = shared_->start + shared_->interval * static_cast<int64_t>(slot);
    if (due_ >= shared_->deadline) {
      Stop();
      return;
    }
    if (due_ <= now) {
      Send();
      return;
    }
    timer_.expires_at(due_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->Stop();
        return;
      }
      self->Send();
    });
  }

  void Send() {
    shared_->spec->workload->body.Fill(number_, seq_++, &req_.body());
    req_.prepare_payload();
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->Fail("write");
        return;
      }
      self->Read();
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(16 << 20);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->Fail("read");
                         return;
                       }
                       self->OnResponse();
                     });
  }

  void OnResponse() {
    const auto done = Clock::now();
    const auto& res = parser_->get();
    const unsigned status = res.result_int();
    const uint64_t per_request = shared_->spec->workload->units_per_request;
    if (status == 200 || status == 202 || status == 207) {
      ++local_.requests;
      local_.units_acked += status == 207 ? AcceptedIn(res.body()) : per_request;
      local_.latency_ms.push_back(std::chrono::duration<double, std::milli>(done - due_).count());
    } else {
      ++local_.errors[std::to_string(status)];
    }
    if (!res.keep_alive()) {
      Reconnect();
      return;
    }
    if (status == 429 || status == 503) {
      PauseThenNext(RetryAfter(res));
      return;
    }
    Next();
  }

  // What a well-behaved client does with 429/503: wait Retry-After seconds (default 1).
  static std::chrono::seconds RetryAfter(const http::response<http::string_body>& res) {
    const auto it = res.find(http::field::retry_after);
    long seconds = 1;
    if (it != res.end()) {
      std::from_chars(it->value().data(), it->value().data() + it->value().size(), seconds);
    }
    return std::chrono::seconds(std::clamp(seconds, 0L, 60L));
  }

  void PauseThenNext(std::chrono::seconds pause) {
    if (Clock::now() + pause >= shared_->deadline) {
      Stop();
      return;
    }
    timer_.expires_after(pause);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Next(); });
  }

  void Fail(const char* what) {
    ++local_.errors[what];
    Reconnect();
  }

  void Reconnect() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    if (Clock::now() + kReconnectPause >= shared_->deadline) {
      Stop();
      return;
    }
    timer_.expires_after(kReconnectPause);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->DoConnect(); });
  }

  void Stop() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    std::lock_guard<std::mutex> lock(shared_->mu);
    LoadResult& all = shared_->result;
    all.requests += local_.requests;
    all.units_acked += local_.units_acked;
    for (const auto& [what, n] : local_.errors) {
      all.errors[what] += n;
    }
    all.latency_ms.insert(all.latency_ms.end(), local_.latency_ms.begin(), local_.latency_ms.end());
  }

  Shared* shared_;
  const uint32_t number_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Clock::time_point due_;
  uint64_t seq_ = 0;
  LoadResult local_;
};

}  // namespace

LoadResult RunLoad(const LoadSpec& spec) {
  asio::io_context io(static_cast<int>(spec.threads));
  Shared shared;
  shared.spec = &spec;
  shared.endpoint = tcp::endpoint(asio::ip::make_address("127.0.0.1"), spec.port);
  if (spec.rate > 0) {
    shared.interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / spec.rate));
  }
  std::vector<std::shared_ptr<Connection>> connections;
  for (uint32_t i = 0; i < spec.connections; ++i) {
    connections.push_back(std::make_shared<Connection>(io, &shared, spec.first_conn + i));
  }
  shared.start = Clock::now();
  shared.deadline = shared.start + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(spec.duration_s));
  for (auto& c : connections) {
    c->Start();
  }
  connections.clear();  // the handlers keep them alive
  std::vector<std::thread> extra;
  for (uint32_t i = 1; i < spec.threads; ++i) {
    extra.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& t : extra) {
    t.join();
  }
  LoadResult result = std::move(shared.result);
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - shared.start).count();
  return result;
}

}  // namespace tc::bench
