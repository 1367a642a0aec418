// OTLP on the real binary, on both backends (docs/otlp.md): the protobuf body the OpenTelemetry
// JS SDK sent (recorded in tests/data/otlp/) stores its LLM call, its tool call and its agent
// step; the same spans again, gzipped, store nothing new; while the database is stalled an OTLP
// request is acknowledged from the spool (exporters drop what is refused) and written once the
// database is back. The real SDK itself runs in otlp_sdk_test.sh.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "integration/collector_fixture.h"
#include "integration/json_probe.h"
#include "integration/test_wait.h"

#ifndef TC_SOURCE_DIR
#error "TC_SOURCE_DIR must name the source tree (tests/data/otlp/)"
#endif

namespace tc::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kTrace = "b43167a7fd29b3278c5c5d8a10290ac2";  // the recorded trace

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(TC_SOURCE_DIR) + "/tests/data/otlp/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class OtlpTest : public CollectorTest {
 protected:
  HttpResponse PostOtlp(const std::string& body, bool gzip = false) {
    std::map<std::string, std::string> headers;
    if (gzip) headers["Content-Encoding"] = "gzip";
    return client_->Post("/v1/traces", body, "application/x-protobuf", headers);
  }
  std::string Rows(const std::string& sql) {
    std::string out;
    for (const auto& row : Db()->Rows(sql)) {
      for (size_t i = 0; i < row.size(); ++i) {
        out += (i ? "|" : "") + row[i].value_or("NULL");
      }
      out += "\n";
    }
    return out;
  }
};

TEST_P(OtlpTest, TheSdksProtobufBodyStoresItsCallToolAndStepOnceEvenGzippedAgain) {
  StartCollector();
  const std::string pb = ReadData("js_sdk_chat.pb");
  ASSERT_GT(pb.size(), 500u);
  auto first = PostOtlp(pb);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["content-type"], "application/x-protobuf");
  EXPECT_TRUE(first.body.empty()) << "an ExportTraceServiceResponse without partial_success";
  const std::string session = std::string("otel-") + kTrace;
  const std::string events =
      "SELECT event_type, model_name, provider, input_tokens, output_tokens, total_tokens, "
      "latency_ms > 0, trace_id FROM events WHERE session_id = '" +
      session + "' ORDER BY id";
  const std::string want = std::string("cais|gpt-4o-mini-2024-07-18|openai|120|42|162|1|") +
                           kTrace + "\n" + "runtime|NULL|NULL|NULL|NULL|NULL|1|" + kTrace + "\n";
  // sqld prints booleans and integers the same way; compare after the store settled.
  EXPECT_EQ(Rows(events), want);
  // The agent span names its conversation (gen_ai.conversation.id, on the root only): its step
  // is in that session; the children, which name none, are in the trace's (docs/otlp.md).
  EXPECT_EQ(Rows("SELECT session_id, completed_at IS NOT NULL, "
                 "json_extract(step_metadata, '$.agent') FROM session_timesteps WHERE "
                 "step_id = '" +
                 std::string(kTrace) + "' ORDER BY session_id"),
            "conv-42|1|travel-agent\n" + session + "|0|NULL\n");
  EXPECT_EQ(
      Rows("SELECT num_events, tc_errors FROM session_traces WHERE session_id = '" + session + "'"),
      "2|1\n")
      << "the tool span's status ERROR marks its event as an error";

  // The exporter's gzip twin of the same request: the same spans, nothing new.
  auto again = PostOtlp(ReadData("js_sdk_chat.pb.gz"), true);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Rows(events), want);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM messages WHERE session_id = '" + session + "'"), "1\n")
      << "the v1.26 prompt event's message, once";
}

TEST_P(OtlpTest, WhileTheDatabaseIsStalledOtlpIsAcknowledgedFromTheSpool) {
  StartCollector({"--set", "sqld.timeout_ms=500", "--set", "embedded.busy_timeout_ms=100", "--set",
                  "retry.max_ms=200", "--set", "shutdown_timeout_ms=5000"});
  ASSERT_EQ(PostRecords(R"({"type":"session","session_id":"warm"})").status, 200);
  StallDatabase();
  auto spooled = PostOtlp(ReadData("js_sdk_chat.pb"));
  EXPECT_EQ(spooled.status, 200) << spooled.body << collector_->Log();
  EXPECT_TRUE(spooled.body.empty());
  ResumeDatabase();
  const std::string session = std::string("otel-") + kTrace;
  ASSERT_TRUE(WaitFor(
      [&] {
        return Rows("SELECT COUNT(*) FROM events WHERE session_id = '" + session + "'") == "2\n";
      },
      milliseconds(20000)))
      << collector_->Log();
}

TC_INSTANTIATE_ON_BOTH_BACKENDS(OtlpTest);

}  // namespace
}  // namespace tc::testing
