#include "support/fault_server/fault_server.h"

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded
// clang-format on

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

namespace tc::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr uint64_t kBodyLimit = 256u << 20;
constexpr std::string_view kCloseRequest = R"(,{"type":"close"}]})";
constexpr std::string_view kCloseResult = R"({"type":"ok","response":{"type":"close"}})";

struct Upstream {
  int status = 502;
  std::string body;
};

}  // namespace

struct FaultServer::Impl {
  std::atomic<uint64_t> pipeline_requests{0};
  std::atomic<uint64_t> forwarded_requests{0};
  int upstream_port = 0;
  bool emulate_sqld = false;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::mutex mutex;
  std::deque<Fault> faults;                    // guarded by mutex
  std::map<std::string, std::string> headers;  // guarded by mutex
  std::string body;                            // guarded by mutex
  std::vector<std::shared_ptr<void>> stalled;  // I/O thread only
  std::thread thread;

  void DoAccept();
  Upstream Forward(const std::string& request_body);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(FaultServer::Impl* impl, tcp::socket socket) : impl_(impl), socket_(std::move(socket)) {}

  void DoRead() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) {
      Close();
      return;
    }
    request_ = parser_->release();
    Handle();
  }

  void Handle() {
    const std::string target(request_.target());
    const bool emulate = impl_->emulate_sqld;
    if (request_.method() == http::verb::get) {
      if (emulate && (target == "/health" || target == "/v2" || target == "/v3")) {
        Respond(200, target == "/health" ? "" : "Hello, this is HTTP API v2 (Hrana over HTTP)",
                "text/plain", "");
      } else {
        Respond(404, "Not Found", "text/plain", "");
      }
      return;
    }
    const bool pipeline = target == "/v2/pipeline" || (emulate && target == "/v3/pipeline");
    if (request_.method() != http::verb::post || !pipeline) {
      Respond(404, "Not Found", "text/plain", "");
      return;
    }
    impl_->pipeline_requests.fetch_add(1);
    std::optional<Fault> fault;
    {
      std::lock_guard lock(impl_->mutex);
      impl_->headers.clear();
      for (const auto& field : request_) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        impl_->headers[name] = std::string(field.value());
      }
      impl_->body = request_.body();
      if (!impl_->faults.empty()) {
        fault = impl_->faults.front();
        impl_->faults.pop_front();
      }
    }
    if (!fault) {
      Upstream up = ForwardMaybeEmulated();
      Respond(up.status, up.body, "application/json", "");
      return;
    }
    switch (fault->kind) {
      case Fault::Kind::kStatus:
        Respond(fault->status, fault->body, fault->content_type, fault->retry_after);
        return;
      case Fault::Kind::kStall:
        impl_->stalled.push_back(shared_from_this());
        return;
      case Fault::Kind::kTearBeforeForward:
        Close();
        return;
      case Fault::Kind::kTearAfterForward:
        ForwardMaybeEmulated();
        Close();
        return;
      case Fault::Kind::kTearMidResponse: {
        Upstream up = ForwardMaybeEmulated();
        std::string raw = "HTTP/1.1 " + std::to_string(up.status) +
                          " OK\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(up.body.size()) + "\r\n\r\n" + up.body;
        beast::error_code ignored;
        net::write(socket_, net::buffer(raw.data(), raw.size() / 2), ignored);
        Close();
        return;
      }
    }
  }

  Upstream ForwardMaybeEmulated() {
    std::string body = request_.body();
    bool closed = false;
    if (impl_->emulate_sqld && body.size() > kCloseRequest.size() &&
        std::string_view(body).substr(body.size() - kCloseRequest.size()) == kCloseRequest) {
      body.resize(body.size() - kCloseRequest.size());
      body += "]}";
      closed = true;
    }
    Upstream up = impl_->Forward(body);
    if (closed && up.status == 200 && up.body.size() >= 2 &&
        up.body.compare(up.body.size() - 2, 2, "]}") == 0) {
      up.body.insert(up.body.size() - 2, std::string(",") + std::string(kCloseResult));
    }
    return up;
  }

  void Respond(int status, std::string body, const std::string& content_type,
               const std::string& retry_after) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(status));
    response_.set(http::field::content_type, content_type);
    if (!retry_after.empty()) {
      response_.set(http::field::retry_after, retry_after);
    }
    // Like the servers it stands for: sqld keeps connections alive, tursodb closes them.
    const bool keep_alive = impl_->emulate_sqld && request_.keep_alive();
    response_.keep_alive(keep_alive);
    response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                        } else {
                          self->DoRead();
                        }
                      });
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  FaultServer::Impl* impl_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

void FaultServer::Impl::DoAccept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      return;
    }
    std::make_shared<Session>(this, std::move(socket))->DoRead();
    DoAccept();
  });
}

Upstream FaultServer::Impl::Forward(const std::string& request_body) {
  Upstream out;
  beast::error_code ec;
  tcp::socket upstream(ioc);
  upstream.connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(upstream_port)), ec);
  if (ec) {
    out.body = "fault server: upstream connect: " + ec.message();
    return out;
  }
  http::request<http::string_body> request{http::verb::post, "/v2/pipeline", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  request.body() = request_body;
  request.prepare_payload();
  http::write(upstream, request, ec);
  if (ec) {
    out.body = "fault server: upstream write: " + ec.message();
    return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  http::read(upstream, buffer, parser, ec);
  if (ec) {
    out.body = "fault server: upstream read: " + ec.message();
    return out;
  }
  forwarded_requests.fetch_add(1);
  out.status = static_cast<int>(parser.get().result_int());
  out.body = parser.get().body();
  return out;
}

FaultServer::FaultServer(int upstream_port, bool emulate_sqld) : impl_(std::make_unique<Impl>()) {
  impl_->upstream_port = upstream_port;
  impl_->emulate_sqld = emulate_sqld;
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->DoAccept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

FaultServer::~FaultServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

void FaultServer::Inject(const Fault& fault, int times) {
  std::lock_guard lock(impl_->mutex);
  for (int i = 0; i < times; ++i) {
    impl_->faults.push_back(fault);
  }
}

uint64_t FaultServer::pipeline_requests() const { return impl_->pipeline_requests.load(); }

uint64_t FaultServer::forwarded_requests() const { return impl_->forwarded_requests.load(); }

size_t FaultServer::pending_faults() {
  std::lock_guard lock(impl_->mutex);
  return impl_->faults.size();
}

std::string FaultServer::LastHeader(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->headers.find(name);
  return it == impl_->headers.end() ? std::string() : it->second;
}

std::string FaultServer::LastBody() {
  std::lock_guard lock(impl_->mutex);
  return impl_->body;
}

}  // namespace tc::testing
