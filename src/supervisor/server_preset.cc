#include "supervisor/server_preset.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/paths.h"
#include "common/unique_fd.h"

namespace tc::supervisor {
namespace {

constexpr char kLoopback[] = "127.0.0.1";
constexpr char kPipelineProbe[] =
    R"({"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}}]})";

// Binds a loopback TCP socket on `port`; the bound socket, or errno.
Result<UniqueFd> BindLoopback(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return Status::Internal(fmt::format("socket: {}", std::strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    if (err == EADDRINUSE) {
      return Status::FailedPrecondition(
          fmt::format("{}:{} is already in use (another process listens there)", kLoopback, port));
    }
    return Status::Internal(fmt::format("bind {}:{}: {}", kLoopback, port, std::strerror(err)));
  }
  return fd;
}

}  // namespace

const char* ServerKindName(ServerKind kind) {
  return kind == ServerKind::kTursodb ? "tursodb" : "sqld";
}

ServerKind KindFromBinary(std::string_view binary) {
  std::string_view name = binary.substr(binary.find_last_of('/') + 1);  // npos + 1 == 0
  return name.substr(0, 7) == "tursodb" ? ServerKind::kTursodb : ServerKind::kSqld;
}

Result<uint16_t> PickFreeLoopbackPort() {
  TC_ASSIGN_OR_RETURN(UniqueFd fd, BindLoopback(0));
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Status::Internal(fmt::format("getsockname: {}", std::strerror(errno)));
  }
  return static_cast<uint16_t>(ntohs(addr.sin_port));
}

Status CheckLoopbackPortFree(uint16_t port) {
  Result<UniqueFd> fd = BindLoopback(port);
  return fd.has_value() ? Status::Ok() : fd.error();
}

std::vector<std::string> ServerArgs(ServerKind kind, const std::string& db_path, uint16_t port) {
  std::string listen = fmt::format("{}:{}", kLoopback, port);
  if (kind == ServerKind::kTursodb) {
    return {db_path, "--sync-server", listen};
  }
  return {"--db-path", db_path, "--http-listen-addr", listen, "--no-welcome"};
}

Result<ServerPlan> BuildServerPlan(const config::SqldConfig& config,
                                   std::optional<ServerKind> kind,
                                   const std::vector<std::string>& extra_args) {
  if (config.db_path.empty()) {
    return Status::InvalidArgument("sqld.db_path is empty");
  }
  ServerPlan plan;
  if (config.binary.empty()) {
    Result<std::string> sqld = FindExecutable("sqld");
    if (!sqld.has_value()) {
      Result<std::string> libsql = FindExecutable("libsql-server");
      if (!libsql.has_value()) {
        return Status::NotFound(fmt::format(
            "no sqld binary configured (sqld.binary / SQLD_BINARY) and none on PATH: {}",
            sqld.error().message()));
      }
      sqld = std::move(libsql);
    }
    plan.binary = *sqld;
  } else {
    TC_ASSIGN_OR_RETURN(plan.binary, FindExecutable(config.binary));
  }
  plan.kind = kind.value_or(KindFromBinary(plan.binary));
  plan.db_path = AbsolutePath(config.db_path);
  if (config.http_port == 0) {
    TC_ASSIGN_OR_RETURN(plan.port, PickFreeLoopbackPort());
  } else {
    plan.port = config.http_port;
    TC_RETURN_IF_ERROR(CheckLoopbackPortFree(plan.port));
  }
  plan.base_url = fmt::format("http://{}:{}", kLoopback, plan.port);

  plan.spawn.binary = plan.binary;
  plan.spawn.args = ServerArgs(plan.kind, plan.db_path, plan.port);
  plan.spawn.args.insert(plan.spawn.args.end(), extra_args.begin(), extra_args.end());
  plan.spawn.log_prefix = ServerKindName(plan.kind);
  plan.spawn.watch_for = {std::string(kAddressInUse)};
  plan.spawn.stop_grace = std::chrono::milliseconds(config.stop_grace_ms);
  if (plan.kind == ServerKind::kTursodb) {
    plan.probe = {plan.base_url + "/v2/pipeline", kPipelineProbe};
  } else {
    plan.probe = {plan.base_url + "/health", ""};
  }
  return plan;
}

}  // namespace tc::supervisor
