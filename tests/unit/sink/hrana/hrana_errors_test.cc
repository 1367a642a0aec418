#include "sink/hrana/hrana_errors.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tc::sink {
namespace {

struct Case {
  std::string name;
  HranaFailure failure;
  StatusCode expected;
};

HranaFailure Transport(CURLcode code, std::string_view message) {
  HranaFailure f;
  f.curl_code = code;
  f.message = message;
  return f;
}

HranaFailure Http(long status, std::string_view body, std::string_view retry_after = {}) {
  HranaFailure f;
  f.http_status = status;
  f.body = body;
  f.retry_after = retry_after;
  return f;
}

HranaFailure Stmt(std::string_view code, std::string_view message) {
  HranaFailure f;
  f.error_code = code;
  f.message = message;
  return f;
}

TEST(HranaErrorsTest, ClassificationTable) {
  const std::vector<Case> cases = {
      // Transport.
      {"refused", Transport(CURLE_COULDNT_CONNECT, "Connection refused"), StatusCode::kUnavailable},
      {"reset", Transport(CURLE_RECV_ERROR, "Connection reset by peer"), StatusCode::kUnavailable},
      {"send", Transport(CURLE_SEND_ERROR, "Broken pipe"), StatusCode::kUnavailable},
      {"empty reply", Transport(CURLE_GOT_NOTHING, "Empty reply"), StatusCode::kUnavailable},
      {"torn body", Transport(CURLE_PARTIAL_FILE, "transfer closed"), StatusCode::kUnavailable},
      {"dns", Transport(CURLE_COULDNT_RESOLVE_HOST, "no host"), StatusCode::kUnavailable},
      {"timeout", Transport(CURLE_OPERATION_TIMEDOUT, "timed out"), StatusCode::kDeadlineExceeded},
      {"tls verify", Transport(CURLE_PEER_FAILED_VERIFICATION, "bad cert"), StatusCode::kInternal},
      {"bad url", Transport(CURLE_URL_MALFORMAT, "bad url"), StatusCode::kInternal},
      // HTTP.
      {"500", Http(500, "boom"), StatusCode::kUnavailable},
      {"502", Http(502, ""), StatusCode::kUnavailable},
      {"503", Http(503, R"({"error":"unavailable"})"), StatusCode::kUnavailable},
      {"504", Http(504, ""), StatusCode::kDeadlineExceeded},
      {"429", Http(429, R"({"error":"Too many concurrent requests"})", "2"),
       StatusCode::kUnavailable},
      {"408", Http(408, ""), StatusCode::kDeadlineExceeded},
      {"stream expired",
       Http(400,
            R"({"message":"The stream has expired due to inactivity","code":"STREAM_EXPIRED"})"),
       StatusCode::kUnavailable},
      {"bad baton", Http(400, "Received an invalid baton"), StatusCode::kInternal},
      {"401", Http(401, R"({"error":"Unauthorized","code":"AUTH_JWT_INVALID"})"),
       StatusCode::kUnauthenticated},
      {"403", Http(403, ""), StatusCode::kUnauthenticated},
      {"404", Http(404, "Not Found"), StatusCode::kInternal},
      {"413", Http(413, ""), StatusCode::kInternal},
      {"tursodb parse",
       Http(500,
            "Internal Server Error: Failed to parse pipeline request: "
            "unknown variant `close`"),
       StatusCode::kInternal},
      // Statements: sqld codes.
      {"sqld unique", Stmt("SQLITE_CONSTRAINT", "SQLite error: UNIQUE constraint failed: t.u"),
       StatusCode::kAlreadyExists},
      {"sqld extended unique", Stmt("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: t.u"),
       StatusCode::kAlreadyExists},
      {"sqld pk", Stmt("SQLITE_CONSTRAINT_PRIMARYKEY", "constraint failed"),
       StatusCode::kAlreadyExists},
      {"sqld not null", Stmt("SQLITE_CONSTRAINT", "SQLite error: NOT NULL constraint failed: t.u"),
       StatusCode::kFailedPrecondition},
      {"sqld check", Stmt("SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed: n > 0"),
       StatusCode::kFailedPrecondition},
      {"sqld mismatch", Stmt("SQLITE_MISMATCH", "datatype mismatch"),
       StatusCode::kFailedPrecondition},
      {"sqld toobig", Stmt("SQLITE_TOOBIG", "string or blob too big"),
       StatusCode::kFailedPrecondition},
      {"sqld busy", Stmt("SQLITE_BUSY", "database is locked"), StatusCode::kUnavailable},
      {"sqld busy snapshot", Stmt("SQLITE_BUSY_SNAPSHOT", "x"), StatusCode::kUnavailable},
      {"sqld locked", Stmt("SQLITE_LOCKED", "x"), StatusCode::kUnavailable},
      {"sqld ioerr", Stmt("SQLITE_IOERR_WRITE", "disk I/O error"), StatusCode::kUnavailable},
      {"sqld full", Stmt("SQLITE_FULL", "database or disk is full"),
       StatusCode::kResourceExhausted},
      {"sqld readonly", Stmt("SQLITE_READONLY", "attempt to write a readonly database"),
       StatusCode::kUnavailable},
      {"sqld corrupt", Stmt("SQLITE_CORRUPT", "malformed"), StatusCode::kInternal},
      {"txn timeout", Stmt("TRANSACTION_TIMEOUT", "Transaction timed out"),
       StatusCode::kDeadlineExceeded},
      {"txn busy", Stmt("TRANSACTION_BUSY", "Transaction is busy"), StatusCode::kUnavailable},
      {"parse error", Stmt("SQL_PARSE_ERROR", "near \"SELEC\": syntax error"),
       StatusCode::kInternal},
      {"args invalid", Stmt("ARGS_INVALID", "missing"), StatusCode::kInternal},
      {"many statements", Stmt("SQL_MANY_STATEMENTS", "x"), StatusCode::kInternal},
      {"response too large", Stmt("RESPONSE_TOO_LARGE", "x"), StatusCode::kInternal},
      {"sqld no such table", Stmt("SQLITE_ERROR", "SQLite error: no such table: nope"),
       StatusCode::kInternal},
      // Statements: tursodb (code BATCH_STEP_ERROR / EXECUTE_ERROR, SQLite code in the message).
      {"turso unique",
       Stmt("BATCH_STEP_ERROR", "Runtime error: UNIQUE constraint failed: t.u (19)"),
       StatusCode::kAlreadyExists},
      {"turso check",
       Stmt("BATCH_STEP_ERROR", "Runtime error: CHECK constraint failed: n > 0 (19)"),
       StatusCode::kFailedPrecondition},
      {"turso not null",
       Stmt("EXECUTE_ERROR", "Runtime error: NOT NULL constraint failed: t.u (19)"),
       StatusCode::kFailedPrecondition},
      {"turso parse", Stmt("BATCH_STEP_ERROR", "Parse error: no such table: nope"),
       StatusCode::kInternal},
      {"turso prepare", Stmt("PREPARE_ERROR", "near \"SELEC\": syntax error"),
       StatusCode::kInternal},
      {"turso busy", Stmt("BATCH_STEP_ERROR", "Runtime error: database is locked (5)"),
       StatusCode::kUnavailable},
      {"turso leaked txn",
       Stmt("BATCH_STEP_ERROR",
            "Transaction error: cannot start a transaction within a transaction"),
       StatusCode::kUnavailable},
      {"no txn", Stmt("BATCH_STEP_ERROR", "cannot commit - no transaction is active"),
       StatusCode::kUnavailable},
      {"unknown", Stmt("", "something odd"), StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    Status status = ClassifyFailure(c.failure);
    EXPECT_EQ(status.code(), c.expected) << c.name << ": " << status.ToString();
    EXPECT_FALSE(status.message().empty()) << c.name;
  }
}

TEST(HranaErrorsTest, MessagesKeepTheServersWords) {
  Status status = ClassifyFailure(Http(429, R"({"error":"Too many concurrent requests"})", "3"));
  EXPECT_NE(status.message().find("429"), std::string::npos);
  EXPECT_NE(status.message().find("Retry-After: 3"), std::string::npos);
  EXPECT_NE(status.message().find("Too many concurrent requests"), std::string::npos);
  status = ClassifyFailure(Stmt("BATCH_STEP_ERROR", "Runtime error: CHECK constraint failed (19)"));
  EXPECT_NE(status.message().find("CHECK constraint failed"), std::string::npos);
  status = ClassifyFailure(Http(500, std::string(5000, 'x')));
  EXPECT_LT(status.message().size(), 400u);  // long bodies are cut
}

TEST(HranaErrorsTest, RetryableMatchesIsRetryable) {
  EXPECT_TRUE(IsRetryable(ClassifyFailure(Http(503, ""))));
  EXPECT_TRUE(IsRetryable(ClassifyFailure(Transport(CURLE_OPERATION_TIMEDOUT, "t"))));
  EXPECT_FALSE(IsRetryable(ClassifyFailure(Http(401, ""))));
  EXPECT_FALSE(IsRetryable(ClassifyFailure(Http(400, "bad"))));
  EXPECT_FALSE(IsRetryable(ClassifyFailure(Stmt("SQLITE_CONSTRAINT", "CHECK constraint failed"))));
}

TEST(HranaErrorsTest, SqlitePrimaryCode) {
  EXPECT_EQ(SqlitePrimaryCode("SQLITE_CONSTRAINT", ""), 19);
  EXPECT_EQ(SqlitePrimaryCode("SQLITE_CONSTRAINT_UNIQUE", ""), 19);
  EXPECT_EQ(SqlitePrimaryCode("SQLITE_IOERR_FSYNC", ""), 10);
  EXPECT_EQ(SqlitePrimaryCode("SQLITE_BUSYX", ""), -1);
  EXPECT_EQ(SqlitePrimaryCode("BATCH_STEP_ERROR", "Runtime error: x (19)"), 19);
  EXPECT_EQ(SqlitePrimaryCode("BATCH_STEP_ERROR", "Runtime error: x (2067)"), 19);  // extended
  EXPECT_EQ(SqlitePrimaryCode("BATCH_STEP_ERROR", "no code (abc)"), -1);
  EXPECT_EQ(SqlitePrimaryCode("", ""), -1);
}

}  // namespace
}  // namespace tc::sink
