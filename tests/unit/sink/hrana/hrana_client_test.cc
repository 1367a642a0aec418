// HranaClient against the real tursodb --sync-server (and the fault server where a header or
// the sqld dialect must be observed).
#include "sink/hrana/hrana_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sink/hrana/curl_pool.h"
#include "sink/hrana/hrana_encoder.h"
#include "sink/hrana/hrana_float.h"
#include "support/fault_server/fault_server.h"
#include "support/temp_dir.h"
#include "unit/sink/hrana/tursodb_server.h"

namespace tc::sink {
namespace {

using storage::SqlValue;
using testing::TempDir;
using testing::TursodbServer;

std::unique_ptr<HranaClient> Connect(const std::string& url, const std::string& token = "") {
  HranaClientOptions options;
  options.url = url;
  options.pool.auth_token = token;
  options.pool.timeout_ms = 5000;
  auto client = HranaClient::Create(options);
  EXPECT_TRUE(client.has_value()) << client.error().ToString();
  return std::move(client).value();
}

TEST(HranaUrlTest, Normalizes) {
  EXPECT_EQ(*NormalizeHranaUrl("libsql://db-org.turso.io"), "https://db-org.turso.io");
  EXPECT_EQ(*NormalizeHranaUrl("libsql://127.0.0.1:8080?tls=0"), "http://127.0.0.1:8080");
  EXPECT_EQ(*NormalizeHranaUrl("https://h.example/"), "https://h.example");
  EXPECT_EQ(*NormalizeHranaUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(*NormalizeHranaUrl("wss://h"), "https://h");
  EXPECT_EQ(NormalizeHranaUrl("ftp://h").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeHranaUrl("http://").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeHranaUrl("http://h?x=1").error().code(), StatusCode::kInvalidArgument);
}

TEST(HranaClientTest, DetectsTursodb) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto client = Connect(server.url());
  Result<HranaDialect> dialect = client->DetectDialect();
  ASSERT_TRUE(dialect.has_value()) << dialect.error().ToString();
  EXPECT_EQ(dialect->kind, HranaDialect::Kind::kTursoSyncServer);
  EXPECT_EQ(dialect->pipeline_path, "/v2/pipeline");
  EXPECT_FALSE(dialect->send_close);
  EXPECT_TRUE(dialect->needs_checkpoint);
  EXPECT_FALSE(dialect->reason.empty());
  EXPECT_TRUE(client->Ping().ok());
}

TEST(HranaClientTest, DetectsSqldShapeAndSendsClose) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  testing::FaultServer sqld(server.port(), /*emulate_sqld=*/true);
  auto client = Connect(sqld.url(), "secret-token");
  Result<HranaDialect> dialect = client->DetectDialect();
  ASSERT_TRUE(dialect.has_value()) << dialect.error().ToString();
  EXPECT_EQ(dialect->kind, HranaDialect::Kind::kSqld);
  EXPECT_EQ(dialect->pipeline_path, "/v3/pipeline");
  EXPECT_TRUE(dialect->send_close);
  EXPECT_TRUE(dialect->has_health);
  Result<hrana::StmtResult> result = client->Execute("SELECT 7");
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(std::get<int64_t>(result->rows.at(0).at(0)), 7);
  EXPECT_NE(sqld.LastBody().find(R"({"type":"close"})"), std::string::npos);
  EXPECT_EQ(sqld.LastHeader("authorization"), "Bearer secret-token");
  EXPECT_EQ(sqld.LastHeader("content-type"), "application/json");
  EXPECT_TRUE(client->Ping().ok());
}

TEST(HranaClientTest, ValuesRoundTrip) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto client = Connect(server.url());
  ASSERT_TRUE(client->DetectDialect().has_value());
  ASSERT_TRUE(client->Execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, n)").has_value());
  const std::vector<std::vector<SqlValue>> rows = {
      {std::numeric_limits<int64_t>::max(), 0.1, std::string("plain"), std::monostate{}},
      {std::numeric_limits<int64_t>::min(), 1e300, std::string("quote \" back \\ nl \n tab \t"),
       std::monostate{}},
      {int64_t{0}, -2.5e-300, std::string("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"),
       std::monostate{}},
      {int64_t{-1}, 3.0, std::string("{\"json\":[1,2,{\"k\":null}]}"), std::monostate{}},
      {int64_t{42}, 123456789.123456789, std::string(""), std::monostate{}},
  };
  hrana::PipelineBuilder builder;
  builder.BeginBatch();
  for (const auto& row : rows) {
    builder.AddStep("INSERT INTO v VALUES (?1, ?2, ?3, ?4)", row);
  }
  builder.EndBatch();
  builder.AddExecute("SELECT i, r, t, n, typeof(i), typeof(r) FROM v ORDER BY rowid");
  std::string body = builder.Finish();
  Result<hrana::PipelineResponse> response = client->Pipeline(body);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  ASSERT_EQ(response->results.size(), 2u);
  for (const auto& step : response->results[0].steps) {
    EXPECT_EQ(step.state, hrana::StepResult::State::kOk) << step.error.message;
  }
  const auto& got = response->results[1].execute.rows;
  ASSERT_EQ(got.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(got[i][0], rows[i][0]) << i;
    EXPECT_EQ(got[i][1], rows[i][1]) << i;  // exact double round trip
    EXPECT_EQ(got[i][2], rows[i][2]) << i;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(got[i][3])) << i;
    EXPECT_EQ(std::get<std::string>(got[i][4]), "integer");
    EXPECT_EQ(std::get<std::string>(got[i][5]), "real");
  }
}

// The float encoder's model of the server's JSON parser (hrana_float.h), checked against the
// real thing: every stored double is what the model predicts, and exact where it can be.
TEST(HranaClientTest, FloatsStoreWhatTheParserModelPredicts) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto client = Connect(server.url());
  ASSERT_TRUE(client->DetectDialect().has_value());
  ASSERT_TRUE(client->Execute("CREATE TABLE f (r REAL)").has_value());
  std::mt19937_64 random(7);
  std::vector<double> values = {0.44999999999999996, 464.72924252192803, 1714557601.25};
  while (values.size() < 3000) {
    double value = 0;
    if (values.size() % 2 == 0) {
      uint64_t bits = random();
      std::memcpy(&value, &bits, sizeof(value));
      if (!std::isfinite(value) || value == 0) continue;
    } else {
      value = std::uniform_real_distribution<double>(-1e6, 1e6)(random) /
              std::pow(10.0, static_cast<int>(random() % 8));
    }
    values.push_back(value);
  }
  hrana::PipelineBuilder builder;
  builder.BeginBatch();
  builder.AddStep("BEGIN");  // one commit, not 3000
  for (double value : values) {
    const SqlValue arg = value;
    builder.AddStep("INSERT INTO f VALUES (?1)", std::span<const SqlValue>(&arg, 1));
  }
  builder.AddStep("COMMIT");
  builder.EndBatch();
  builder.AddExecute("SELECT r FROM f ORDER BY rowid");
  std::string body = builder.Finish();
  Result<hrana::PipelineResponse> response = client->Pipeline(body);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  const auto& rows = response->results.at(1).execute.rows;
  ASSERT_EQ(rows.size(), values.size());
  size_t exact = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string text;
    hrana::AppendExactFloat(values[i], &text);
    const double predicted = hrana::SerdeJsonDefaultParse(text).value();
    const double stored = std::get<double>(rows[i][0]);
    EXPECT_EQ(stored, predicted) << text;
    exact += stored == values[i] ? 1 : 0;
  }
  EXPECT_EQ(std::get<double>(rows[0][0]), 0.44999999999999996);  // the cents of $0.0045
  EXPECT_GT(exact, values.size() * 98 / 100);
}

TEST(HranaClientTest, StatementErrorsAreClassified) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto client = Connect(server.url());
  ASSERT_TRUE(client->DetectDialect().has_value());
  EXPECT_EQ(client->Execute("SELEC 1").error().code(), StatusCode::kInternal);
  EXPECT_EQ(client->Execute("SELECT * FROM nope").error().code(), StatusCode::kInternal);
  ASSERT_TRUE(client
                  ->Execute("CREATE TABLE u (k TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK "
                            "(n > 0))")
                  .has_value());
  ASSERT_TRUE(client->Execute("INSERT INTO u VALUES ('a', 1)").has_value());
  EXPECT_EQ(client->Execute("INSERT INTO u VALUES ('a', 1)").error().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(client->Execute("INSERT INTO u VALUES ('b', 0)").error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(client->Execute("INSERT INTO u VALUES ('c', NULL)").error().code(),
            StatusCode::kFailedPrecondition);
}

TEST(HranaClientTest, ServerDownIsUnavailable) {
  TempDir dir;
  auto server = std::make_unique<TursodbServer>(dir.File("db.sqlite"));
  const std::string url = server->url();
  server.reset();  // stopped: the port refuses connections
  auto client = Connect(url);
  Result<HranaDialect> dialect = client->DetectDialect();
  ASSERT_FALSE(dialect.has_value());
  EXPECT_EQ(dialect.error().code(), StatusCode::kUnavailable) << dialect.error().ToString();
  client->set_dialect(HranaDialect::TursoSyncServer());
  EXPECT_EQ(client->Ping().code(), StatusCode::kUnavailable);
}

TEST(HranaClientTest, LargeBodiesAreSentWithoutExpectContinue) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  testing::FaultServer proxy(server.port());
  auto client = Connect(proxy.url());
  ASSERT_TRUE(client->DetectDialect().has_value());
  // curl would add "Expect: 100-continue" above ~1 MB; tursodb never answers it (1 s stall).
  const std::string big(3 << 20, 'x');
  hrana::PipelineBuilder builder;
  const std::vector<SqlValue> args = {big};
  builder.AddExecute("SELECT length(?1)", args);
  const std::string body = builder.Finish();
  Result<hrana::PipelineResponse> response = client->Pipeline(body);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(std::get<int64_t>(response->results.at(0).execute.rows.at(0).at(0)),
            static_cast<int64_t>(big.size()));
  // The header the proxy saw is the proof (a time bound would measure the machine: this took
  // 986 ms once under TSan on a loaded CI machine without any stall).
  EXPECT_EQ(proxy.LastHeader("expect"), "");
  EXPECT_EQ(proxy.LastHeader("authorization"), "");  // no token configured, none sent
}

// Response bodies keep simdjson's padding free behind them, so ParsePipelineResponse reads them
// in place (a large batch's response used to be copied into a padded buffer first).
TEST(CurlPoolTest, ResponseBodiesLeaveRoomForTheParsersPadding) {
  TempDir dir;
  TursodbServer server(dir.File("db.sqlite"));
  auto pool = CurlPool::Create(CurlPoolOptions{});
  ASSERT_TRUE(pool.has_value()) << pool.error().ToString();
  for (const size_t size : {size_t{10}, size_t{300} << 10, size_t{2} << 20}) {
    hrana::PipelineBuilder builder;
    const std::vector<SqlValue> args = {static_cast<int64_t>(size)};
    builder.AddExecute("SELECT hex(zeroblob(?1 / 2))", args);
    Result<HttpResponse> response = (*pool)->Post(server.url() + "/v2/pipeline", builder.Finish());
    ASSERT_TRUE(response.has_value()) << response.error().ToString();
    ASSERT_EQ(response->status, 200) << response->body.substr(0, 200);
    EXPECT_GT(response->body.size(), size);
    EXPECT_GE(response->body.capacity(), response->body.size() + simdjson::SIMDJSON_PADDING)
        << "size " << size;
  }
}

}  // namespace
}  // namespace tc::sink
