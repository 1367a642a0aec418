// libFuzzer target: raw bytes from a client through a real http::Session, without TCP: the
// session's socket is one end of a socketpair(AF_UNIX), the fuzzer is the client on the other
// end. The fuzzer writes the input, half-closes, reads every response until the session closes,
// and completes durable submissions at once (FuzzSubmitter). One io_context run by the fuzzer's
// thread, so runs are deterministic. Checks: the session closes once the client is done (within
// kStuck), the output is a sequence of well-formed responses (CheckResponseStream), and once the
// session is gone nothing is owed, registered or held in the body budget. TC_FUZZ_VERBOSE=1 prints what the session wrote.

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/check.h"
#include "http/connection_types.h"
#include "http/server_state.h"
#include "http/session.h"
#include "http_checks.h"
#include "metrics/metrics.h"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace tc;  // NOLINT: a fuzz target's one function

struct Env {
  net::io_context ioc{1};
  metrics::Metrics metrics;
  fuzz::FuzzSubmitter submitter;
  http::ServerState state{fuzz::FuzzServerOptions(), http::ApiKeys(), submitter, nullptr, metrics};
};

// Generous: a session that has not closed by then, with the client gone, is stuck.
constexpr std::chrono::seconds kStuck(5);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = new Env;  // never destroyed: sessions of a crashing run may reference it
  int fds[2];
  TC_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  const int peer = fds[1];
  {
    http::StrandSocket socket(net::make_strand(env->ioc));
    boost::system::error_code ec;
    socket.assign(tcp::v4(), fds[0], ec);
    TC_CHECK(!ec);
    auto session = std::make_shared<http::Session>(std::move(socket), env->state);
    env->state.Register(session);
    session->Start();
  }
  env->ioc.restart();

  std::string out;
  size_t written = 0;
  bool shut_down = false;  // our sending side
  bool eof = false;        // the session's sending side
  bool closed = false;     // our socket
  char buf[16384];
  const auto deadline = std::chrono::steady_clock::now() + kStuck;
  while (true) {
    bool progress = env->ioc.poll() > 0;
    progress = env->submitter.RunCompletions() > 0 || progress;
    if (!closed && written < size) {
      const ssize_t n = send(peer, data + written, size - written, MSG_NOSIGNAL);
      if (n > 0) {
        written += static_cast<size_t>(n);
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        written = size;  // the session closed its end (EPIPE, ECONNRESET)
      }
    }
    if (!closed && written == size && !shut_down) {
      shutdown(peer, SHUT_WR);
      shut_down = true;
      progress = true;
    }
    while (!eof) {
      const ssize_t n = read(peer, buf, sizeof(buf));
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        progress = true;
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        eof = true;  // closed (0) or reset (ECONNRESET after close with unread data)
        progress = true;
      } else {
        break;
      }
    }
    if (eof && !closed) {
      close(peer);  // ends a lingering session's drain
      closed = true;
      progress = true;
    }
    if (closed && env->state.open_connections() == 0) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "session stuck: %zu of %zu bytes sent, eof=%d, %zu bytes received\n",
                   written, size, eof, out.size());
      std::abort();
    }
    if (!progress) {
      env->ioc.run_one_for(std::chrono::milliseconds(1));
    }
  }
  // Let the cancelled timer and any posted completion run; nothing may keep the session alive.
  while (env->ioc.poll() > 0 || env->submitter.RunCompletions() > 0) {
  }
  TC_CHECK(env->state.owed() == 0);
  TC_CHECK(env->state.open_connections() == 0);
  TC_CHECK(env->metrics.http_connections_open.Get() == 0);
  TC_CHECK(env->state.body_bytes_in_flight() == 0);  // bodies and unwritten answers given back
  static const bool verbose = std::getenv("TC_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "---- %zu bytes sent, %zu received:\n%s\n----\n", size, out.size(),
                 out.c_str());
  }
  fuzz::CheckResponseStream(out);
  return 0;
}
