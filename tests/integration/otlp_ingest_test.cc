// OTLP on the real binary, on both backends (docs/otlp.md): the protobuf body the OpenTelemetry
// JS SDK sent (recorded in tests/data/otlp/) stores its LLM call, its tool call and its agent
// step; the same spans again, gzipped, store nothing new; while the database is stalled an OTLP
// request is acknowledged from the spool (exporters drop what is refused) and written once the
// database is back. The real SDK itself runs in otlp_sdk_test.sh.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// One OTLP/JSON span of trace `trace` (32 hex digits), child of `parent` unless it is empty.
std::string JsonSpan(const std::string& trace, const std::string& span_id,
                     const std::string& parent, const std::string& attributes, int start_ms,
                     int status_code = 0) {
  const long long start = 1764900000000LL + start_ms;  // ms
  std::string out = "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + span_id + "\"";
  if (!parent.empty()) out += ",\"parentSpanId\":\"" + parent + "\"";
  out += ",\"name\":\"s\",\"kind\":1,\"startTimeUnixNano\":\"" + std::to_string(start) +
         "000000\",\"endTimeUnixNano\":\"" + std::to_string(start + 50) +
         "000000\",\"status\":{\"code\":" + std::to_string(status_code) + "},\"attributes\":[" +
         attributes + "]}";
  return out;
}
std::string Attr(const std::string& key, const std::string& value) {
  return "{\"key\":\"" + key + "\",\"value\":{\"stringValue\":\"" + value + "\"}}";
}
std::string IntAttr(const std::string& key, int value) {
  return "{\"key\":\"" + key + "\",\"value\":{\"intValue\":" + std::to_string(value) + "}}";
}
std::string OtlpJson(const std::vector<std::string>& spans) {
  std::string out = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[";
  for (size_t i = 0; i < spans.size(); ++i) out += (i ? "," : "") + spans[i];
  return out + "]}]}]}";
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
  // The agent span names its conversation (gen_ai.conversation.id, on the root only): the
  // trace's link moves the children, which name none, into it (docs/otlp.md "Sessions").
  const std::string session = "conv-42";
  const std::string events =
      "SELECT event_type, model_name, provider, input_tokens, output_tokens, total_tokens, "
      "latency_ms > 0, trace_id FROM events WHERE session_id = '" +
      session + "' ORDER BY id";
  const std::string want = std::string("cais|gpt-4o-mini-2024-07-18|openai|120|42|162|1|") +
                           kTrace + "\n" + "runtime|NULL|NULL|NULL|NULL|NULL|1|" + kTrace + "\n";
  // sqld prints booleans and integers the same way; compare after the store settled.
  EXPECT_EQ(Rows(events), want);
  EXPECT_EQ(Rows("SELECT session_id, completed_at IS NOT NULL, "
                 "json_extract(step_metadata, '$.agent') FROM session_timesteps WHERE "
                 "step_id = '" +
                 std::string(kTrace) + "' ORDER BY session_id"),
            "conv-42|1|travel-agent\n");
  EXPECT_EQ(Rows("SELECT num_events, num_timesteps, tc_errors FROM session_traces WHERE "
                 "session_id = '" +
                 session + "'"),
            "2|1|1\n")
      << "the tool span's status ERROR marks its event as an error";
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 'otel-%'"), "0\n")
      << "the provisional session was emptied into conv-42 and removed";

  // The exporter's gzip twin of the same request: the same spans, nothing new.
  auto again = PostOtlp(ReadData("js_sdk_chat.pb.gz"), true);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Rows(events), want);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM messages WHERE session_id = '" + session + "'"), "1\n")
      << "the v1.26 prompt event's message, once";
}

// A trace's spans end up in the session its root names whatever order they arrive in: children
// first (one request per span, as the simple span processor sends them), the root first, or
// all at once; a late child after the root; and a retried request stores nothing new.
TEST_P(OtlpTest, SpansEndUpInTheSessionTheTraceNamesWhateverTheirOrder) {
  StartCollector();
  // The four spans of one agent turn in conversation `conv`, trace `trace`.
  struct Turn {
    std::string root, chat, tool, late_chat;
  };
  auto turn = [](const std::string& trace, const std::string& conv) {
    const std::string root_id = "a000000000000001";
    const std::string output =
        R"([{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}])";
    return Turn{
        JsonSpan(trace, root_id, "",
                 Attr("gen_ai.operation.name", "invoke_agent") + "," +
                     Attr("gen_ai.agent.name", "planner") + "," +
                     Attr("gen_ai.conversation.id", conv),
                 0),
        JsonSpan(trace, "c000000000000001", root_id,
                 Attr("gen_ai.operation.name", "chat") + "," + Attr("gen_ai.request.model", "m1") +
                     "," + IntAttr("gen_ai.usage.input_tokens", 10) + "," +
                     IntAttr("gen_ai.usage.output_tokens", 5) + "," +
                     Attr("gen_ai.output.messages", output),
                 10),
        JsonSpan(trace, "d000000000000001", root_id,
                 Attr("gen_ai.operation.name", "execute_tool") + "," +
                     Attr("gen_ai.tool.name", "search") + "," + Attr("error.type", "Timeout"),
                 20, /*status_code=*/2),
        JsonSpan(trace, "c000000000000002", root_id,
                 Attr("gen_ai.operation.name", "chat") + "," + Attr("gen_ai.request.model", "m2") +
                     "," + IntAttr("gen_ai.usage.input_tokens", 7) + "," +
                     IntAttr("gen_ai.usage.output_tokens", 3),
                 30)};
  };
  auto post = [&](const std::vector<std::string>& spans) {
    auto r = client_->Post("/v1/traces", OtlpJson(spans), "application/json");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "{}");
  };
  const std::string trace_a(32, 'a'), trace_b(32, 'b'), trace_c(32, 'c');
  const Turn a = turn(trace_a, "conv-a"), b = turn(trace_b, "conv-b"), c = turn(trace_c, "conv-c");
  post({a.chat});  // children first, one request each, then the root, then a late child
  post({a.tool});
  post({a.root});
  post({a.late_chat});
  post({b.root});  // the root first
  post({b.chat, b.tool});
  post({b.late_chat});
  post({c.chat, c.tool, c.root, c.late_chat});  // all at once

  // Everything about a conversation except ids and commit times.
  auto dump = [&](const std::string& conv) {
    const std::string where = " WHERE session_id = '" + conv + "'";
    std::string models = Rows("SELECT tc_models FROM session_traces" + where);
    // The models' order is that of arrival, which differs between the orders: compare sorted.
    const bool m1 = models.find("\"m1\"") != std::string::npos;
    const bool m2 = models.find("\"m2\"") != std::string::npos;
    return Rows(
               "SELECT num_timesteps, num_events, num_messages, tc_llm_calls, tc_input_tokens, "
               "tc_output_tokens, tc_total_tokens, tc_errors FROM session_traces" +
               where) +
           "models " + (m1 ? "m1 " : "") + (m2 ? "m2" : "") + "\n" +
           Rows(
               "SELECT step_index, num_events, num_messages, completed_at IS NOT NULL, "
               "json_extract(step_metadata, '$.agent') FROM session_timesteps" +
               where) +
           Rows(
               "SELECT e.event_type, e.model_name, e.span_id, t.session_id = e.session_id FROM "
               "events e LEFT JOIN session_timesteps t ON t.id = e.timestep_id WHERE "
               "e.session_id = '" +
               conv + "' ORDER BY e.span_id") +
           Rows(
               "SELECT m.message_type, m.content, t.session_id = m.session_id FROM messages m "
               "LEFT JOIN session_timesteps t ON t.id = m.timestep_id WHERE m.session_id = '" +
               conv + "'");
  };
  const std::string want =
      "1|3|1|2|17|8|25|1\n"
      "models m1 m2\n"
      "0|3|1|1|planner\n"
      "cais|m1|c000000000000001|1\n"
      "cais|m2|c000000000000002|1\n"
      "runtime|NULL|d000000000000001|1\n"
      "assistant|hi|1\n";
  EXPECT_EQ(dump("conv-a"), want) << "children first";
  EXPECT_EQ(dump("conv-b"), want) << "root first";
  EXPECT_EQ(dump("conv-c"), want) << "one request";
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 'otel-%'"), "0\n");
  EXPECT_EQ(Rows("SELECT trace_id, session_id FROM tc_trace_sessions ORDER BY trace_id"),
            trace_a + "|conv-a\n" + trace_b + "|conv-b\n" + trace_c + "|conv-c\n");

  // Retries of moved spans are duplicates: nothing new, no provisional session again.
  post({a.chat});
  post({b.chat, b.tool});
  EXPECT_EQ(dump("conv-a"), want);
  EXPECT_EQ(dump("conv-b"), want);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM session_traces WHERE session_id LIKE 'otel-%'"), "0\n");
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
  const std::string session = "conv-42";
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
