#pragma once

// Records of every type with every field set to a non-default value (two of each: one with
// every optional set, one with every optional empty), for codec and spool tests.

#include <vector>

#include "schema/records.h"

namespace tc::spool::testing {

inline std::vector<schema::Record> EveryRecordType() {
  using namespace schema;
  std::vector<Record> out;
  auto add = [&](std::string key, RecordBody full, RecordBody sparse) {
    out.push_back(Record{key, std::move(full)});
    out.push_back(Record{"", std::move(sparse)});
  };
  add("k-session", SessionRecord{"s1", "2026-01-01T00:00:00Z", R"({"a":1})", "exp"},
      SessionRecord{"s2", {}, {}, {}});
  add("k-end", SessionEndRecord{"s1", "2026-01-02T00:00:00Z", "[1,2]"},
      SessionEndRecord{"s3", {}, {}});
  add("k-step", TimestepRecord{"s1", "step-1", 4, 2, "t0", "t1", R"({"m":true})"},
      TimestepRecord{"s1", "step-2", {}, {}, {}, {}, {}});
  EventRecord event{"s1",     "step-1",   EventType::kCais, "sys-1", 1.5,       17,
                    "c",      "gpt-x",    "openai",         10,      20,        30,
                    0.0045,   250,        "span",           "trace", "[{}]",    0.25,
                    true,     false,      "{\"b\":1}",      "{\"a\":2}", "{}",  "{\"e\":1}"};
  EventRecord sparse_event;
  sparse_event.session_id = "s1";
  sparse_event.event_type = EventType::kEnvironment;
  sparse_event.system_instance_id = "env";
  add("k-event", event, sparse_event);
  add("k-msg",
      MessageRecord{"s1", "step-1", MessageType::kToolResult, "hello \xc3\xbc\n\"x\"", "ts", 2.5,
                    9, "{}"},
      MessageRecord{"s1", {}, MessageType::kSystem, "", {}, {}, {}, {}});
  add("k-exp", ExperimentRecord{"e1", "name", "desc", "{\"c\":1}", "{}"},
      ExperimentRecord{"e2", "n2", {}, {}, {}});
  add("k-sys", SystemRecord{"sys", "agent", "llm", "d", "{}"}, SystemRecord{"sys2", "a2", {}, {}, {}});
  add("k-ver", SystemVersionRecord{"v1", "sys", "3", "abc", "{}", "{}"},
      SystemVersionRecord{"v2", "sys", "4", {}, {}, {}});
  add("k-out", OutcomeRewardRecord{"s1", "score", 1.25, 3, 10, "{}", "note"},
      OutcomeRewardRecord{"s2", "reward", 0, 0, 0, {}, {}});
  add("k-rew",
      EventRewardRecord{"s1", 5, "ev-ref", 6, "msg-ref", 2, "obj", -0.5, "sparse", "key", "ann",
                        "src"},
      EventRewardRecord{"s1", {}, "ev", {}, {}, {}, "reward", 0, {}, {}, {}, {}});
  add("", TraceLinkRecord{"0af7651916cd43dd8448eb211c80319c", "conv-1", "otel-0af7"},
      TraceLinkRecord{"t", "", "otel-t"});
  return out;
}

}  // namespace tc::spool::testing
