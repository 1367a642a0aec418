#include "hrana_errors.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <array>
#include <string>
#include <utility>

#include "hrana_response.h"

namespace tc::sink {
namespace {

constexpr size_t kMaxQuotedBody = 300;

// SQLite primary result codes by name (sqlite3.h), the ones a server can report.
constexpr std::array<std::pair<std::string_view, int>, 26> kSqliteCodes = {{
    {"SQLITE_ERROR", 1},       {"SQLITE_INTERNAL", 2},  {"SQLITE_PERM", 3},
    {"SQLITE_ABORT", 4},       {"SQLITE_BUSY", 5},      {"SQLITE_LOCKED", 6},
    {"SQLITE_NOMEM", 7},       {"SQLITE_READONLY", 8},  {"SQLITE_INTERRUPT", 9},
    {"SQLITE_IOERR", 10},      {"SQLITE_CORRUPT", 11},  {"SQLITE_NOTFOUND", 12},
    {"SQLITE_FULL", 13},       {"SQLITE_CANTOPEN", 14}, {"SQLITE_PROTOCOL", 15},
    {"SQLITE_EMPTY", 16},      {"SQLITE_SCHEMA", 17},   {"SQLITE_TOOBIG", 18},
    {"SQLITE_CONSTRAINT", 19}, {"SQLITE_MISMATCH", 20}, {"SQLITE_MISUSE", 21},
    {"SQLITE_NOLFS", 22},      {"SQLITE_AUTH", 23},     {"SQLITE_FORMAT", 24},
    {"SQLITE_RANGE", 25},      {"SQLITE_NOTADB", 26},
}};

constexpr int kBusy = 5, kLocked = 6, kNomem = 7, kReadonly = 8, kInterrupt = 9, kIoerr = 10,
              kCorrupt = 11, kFull = 13, kCantopen = 14, kProtocol = 15, kSchema = 17, kTooBig = 18,
              kConstraint = 19, kMismatch = 20, kFormat = 24, kRange = 25, kNotadb = 26;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string Quote(std::string_view text) {
  if (text.size() > kMaxQuotedBody) {
    return fmt::format("{}...", text.substr(0, kMaxQuotedBody));
  }
  return std::string(text);
}

// Hrana codes of statements the server could not even prepare or bind: our bug, not the record's.
bool IsStatementProtocolCode(std::string_view code) {
  return code == "SQL_PARSE_ERROR" || code == "SQL_NO_STATEMENT" || code == "SQL_MANY_STATEMENTS" ||
         code == "SQL_INPUT_ERROR" || code == "ARGS_INVALID" ||
         code == "ARGS_BOTH_POSITIONAL_AND_NAMED" || code == "NO_SQL" ||
         code == "SQL_STORE_TOO_MANY" || code == "SQL_STORE_TOO_LARGE" || code == "PREPARE_ERROR" ||
         code == "RESPONSE_TOO_LARGE";
}

Status ClassifyTransport(const HranaFailure& f) {
  std::string what = fmt::format("sqld transport: {} (curl {})", f.message, f.curl_code);
  switch (static_cast<CURLcode>(f.curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(std::move(what));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_FAILED_INIT:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return Status::Internal(std::move(what));
    default:
      // Refused, reset, torn mid-response, DNS hiccup, TLS handshake cut: transient.
      return Status::Unavailable(std::move(what));
  }
}

Status ClassifyHttp(const HranaFailure& f) {
  std::string what = fmt::format("sqld HTTP {}", f.http_status);
  if (!f.retry_after.empty()) {
    what += fmt::format(" (Retry-After: {})", f.retry_after);
  }
  if (!f.body.empty()) {
    what += fmt::format(": {}", Quote(f.body));
  }
  const long s = f.http_status;
  if (s == 400) {
    if (Contains(f.body, "STREAM_EXPIRED")) {
      return Status::Unavailable(std::move(what));
    }
    return Status::Internal(std::move(what));
  }
  if (s == 401 || s == 403) {
    return Status::Unauthenticated(std::move(what));
  }
  if (s == 408 || s == 504) {
    return Status::DeadlineExceeded(std::move(what));
  }
  if (s == 429) {
    return Status::Unavailable(std::move(what));
  }
  if (s == 500 && Contains(f.body, "Failed to parse pipeline request")) {
    // tursodb's answer to a request it cannot decode: the same request would fail forever.
    return Status::Internal(std::move(what));
  }
  if (s >= 500 && s <= 599) {
    return Status::Unavailable(std::move(what));
  }
  return Status::Internal(std::move(what));
}

Status ClassifyStatement(const HranaFailure& f) {
  std::string what = f.error_code.empty() ? std::string(f.message)
                                          : fmt::format("{} [{}]", f.message, f.error_code);
  const std::string_view code = f.error_code;
  const std::string_view msg = f.message;
  if (code == "TRANSACTION_TIMEOUT") {
    return Status::DeadlineExceeded(std::move(what));
  }
  if (code == "TRANSACTION_BUSY" || code == "PROXY_ERROR" || code == "BLOCKED" ||
      code == "STREAM_EXPIRED") {
    return Status::Unavailable(std::move(what));
  }
  if (IsStatementProtocolCode(code) || msg.starts_with("Parse error") ||
      Contains(msg, "no such table") || Contains(msg, "no such column") ||
      Contains(msg, "syntax error")) {
    return Status::Internal(std::move(what));
  }
  // The transaction is gone (leaked on tursodb, or rolled back behind our back): nothing of
  // ours is committed, and a retry starts a fresh one.
  if (Contains(msg, "cannot start a transaction within a transaction") ||
      Contains(msg, "no transaction is active") || Contains(msg, "database is locked") ||
      Contains(msg, "database table is locked")) {
    return Status::Unavailable(std::move(what));
  }
  const int primary = SqlitePrimaryCode(code, msg);
  switch (primary) {
    case kNomem:
    case kFull:
      return Status::ResourceExhausted(std::move(what));
    case kBusy:
    case kLocked:
    case kReadonly:
    case kInterrupt:
    case kIoerr:
    case kCantopen:
    case kProtocol:
    case kSchema:
      return Status::Unavailable(std::move(what));
    case kCorrupt:
    case kNotadb:
    case kFormat:
      return Status::Internal(std::move(what));
    case kConstraint:
      if (Contains(msg, "UNIQUE constraint failed") || Contains(code, "CONSTRAINT_UNIQUE") ||
          Contains(code, "CONSTRAINT_PRIMARYKEY")) {
        return Status::AlreadyExists(std::move(what));
      }
      return Status::FailedPrecondition(std::move(what));
    case kTooBig:
    case kMismatch:
    case kRange:
      return Status::FailedPrecondition(std::move(what));
    default:
      break;
  }
  if (Contains(msg, "UNIQUE constraint failed")) {
    return Status::AlreadyExists(std::move(what));
  }
  return Status::FailedPrecondition(std::move(what));
}

}  // namespace

int SqlitePrimaryCode(std::string_view error_code, std::string_view message) {
  for (const auto& [name, value] : kSqliteCodes) {
    if (error_code.starts_with(name) &&
        (error_code.size() == name.size() || error_code[name.size()] == '_')) {
      return value;
    }
  }
  // tursodb: "Runtime error: UNIQUE constraint failed: t.u (19)".
  if (!message.empty() && message.back() == ')') {
    const size_t open = message.rfind('(');
    if (open != std::string_view::npos && open + 2 < message.size()) {
      int value = 0;
      for (size_t i = open + 1; i + 1 < message.size(); ++i) {
        const char c = message[i];
        if (c < '0' || c > '9' || value > 100000) {
          return -1;
        }
        value = value * 10 + (c - '0');
      }
      return value & 0xff;  // an extended code carries the primary one in its low byte
    }
  }
  return -1;
}

Status ClassifyFailure(const HranaFailure& failure) {
  if (failure.curl_code != 0) {
    return ClassifyTransport(failure);
  }
  if (failure.http_status != 200) {
    return ClassifyHttp(failure);
  }
  return ClassifyStatement(failure);
}

Status ClassifyError(const hrana::Error& error) {
  HranaFailure failure;
  failure.error_code = error.code;
  failure.message = error.message;
  return ClassifyFailure(failure);
}

}  // namespace tc::sink
