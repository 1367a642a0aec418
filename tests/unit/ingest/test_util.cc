#include "test_util.h"

#include <fstream>
#include <sstream>
#include <type_traits>

namespace tc::ingest::testing {
namespace {

void Put(std::ostringstream& out, const char* name, const std::string& value) {
  out << '|' << name << '=' << value;
}
template <typename T>
void Put(std::ostringstream& out, const char* name, const std::optional<T>& value) {
  out << '|' << name << '=';
  if (value) {
    out << *value;
  } else {
    out << '-';
  }
}
void Put(std::ostringstream& out, const char* name, double value) {
  out << '|' << name << '=' << value;
}
void Put(std::ostringstream& out, const char* name, int64_t value) {
  out << '|' << name << '=' << value;
}

}  // namespace

std::string ReadTestData(std::string_view name) {
  std::string path = std::string(TC_TEST_DATA_DIR) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

DecodedRequest Records(std::string_view body, const IngestLimits& limits, BodyFormat format) {
  Padded padded(body);
  Result<DecodedRequest> result = DecodeRecords(padded.view(), format, limits);
  if (!result.has_value()) {
    ADD_FAILURE() << "whole-body error: " << result.error().ToString();
    return {};
  }
  return std::move(result).value();
}

DecodedRequest Traces(std::string_view body, const IngestLimits& limits) {
  Padded padded(body);
  Result<DecodedRequest> result = DecodeTraces(padded.view(), limits);
  if (!result.has_value()) {
    ADD_FAILURE() << "whole-body error: " << result.error().ToString();
    return {};
  }
  return std::move(result).value();
}

std::string RecordsBodyError(std::string_view body, const IngestLimits& limits, BodyFormat format) {
  Padded padded(body);
  Result<DecodedRequest> result = DecodeRecords(padded.view(), format, limits);
  if (result.has_value()) return "";
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  return result.error().message();
}

std::string TracesBodyError(std::string_view body, const IngestLimits& limits) {
  Padded padded(body);
  Result<DecodedRequest> result = DecodeTraces(padded.view(), limits);
  if (result.has_value()) return "";
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  return result.error().message();
}

std::string Describe(const schema::Record& record) {
  std::ostringstream out;
  out << record.key << '|' << schema::RecordTypeName(record.body);
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, schema::SessionRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "created_at", r.created_at);
          Put(out, "metadata", r.metadata), Put(out, "experiment_id", r.experiment_id);
        } else if constexpr (std::is_same_v<T, schema::SessionEndRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "ended_at", r.ended_at);
          Put(out, "metadata", r.metadata);
        } else if constexpr (std::is_same_v<T, schema::TimestepRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "step_id", r.step_id);
          Put(out, "step_index", r.step_index), Put(out, "turn_number", r.turn_number);
          Put(out, "started_at", r.started_at), Put(out, "completed_at", r.completed_at);
          Put(out, "step_metadata", r.step_metadata);
        } else if constexpr (std::is_same_v<T, schema::EventRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "step_id", r.step_id);
          out << "|event_type=" << schema::EventTypeName(r.event_type);
          Put(out, "system_instance_id", r.system_instance_id);
          Put(out, "event_time", r.event_time), Put(out, "message_time", r.message_time);
          Put(out, "created_at", r.created_at), Put(out, "model_name", r.model_name);
          Put(out, "provider", r.provider), Put(out, "input_tokens", r.input_tokens);
          Put(out, "output_tokens", r.output_tokens), Put(out, "total_tokens", r.total_tokens);
          Put(out, "cost_usd", r.cost_usd), Put(out, "latency_ms", r.latency_ms);
          Put(out, "span_id", r.span_id), Put(out, "trace_id", r.trace_id);
          Put(out, "call_records", r.call_records), Put(out, "reward", r.reward);
          Put(out, "terminated", r.terminated), Put(out, "truncated", r.truncated);
          Put(out, "system_state_before", r.system_state_before);
          Put(out, "system_state_after", r.system_state_after);
          Put(out, "metadata", r.metadata), Put(out, "event_metadata", r.event_metadata);
        } else if constexpr (std::is_same_v<T, schema::MessageRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "step_id", r.step_id);
          out << "|message_type=" << schema::MessageTypeName(r.message_type);
          Put(out, "content", r.content), Put(out, "timestamp", r.timestamp);
          Put(out, "event_time", r.event_time), Put(out, "message_time", r.message_time);
          Put(out, "metadata", r.metadata);
        } else if constexpr (std::is_same_v<T, schema::ExperimentRecord>) {
          Put(out, "experiment_id", r.experiment_id), Put(out, "name", r.name);
          Put(out, "description", r.description), Put(out, "configuration", r.configuration);
          Put(out, "metadata", r.metadata);
        } else if constexpr (std::is_same_v<T, schema::SystemRecord>) {
          Put(out, "system_id", r.system_id), Put(out, "name", r.name);
          Put(out, "system_type", r.system_type), Put(out, "description", r.description);
          Put(out, "metadata", r.metadata);
        } else if constexpr (std::is_same_v<T, schema::SystemVersionRecord>) {
          Put(out, "version_id", r.version_id), Put(out, "system_id", r.system_id);
          Put(out, "version_number", r.version_number), Put(out, "commit_hash", r.commit_hash);
          Put(out, "configuration", r.configuration), Put(out, "metadata", r.metadata);
        } else if constexpr (std::is_same_v<T, schema::OutcomeRewardRecord>) {
          Put(out, "session_id", r.session_id), Put(out, "objective_key", r.objective_key);
          Put(out, "total_reward", r.total_reward);
          Put(out, "achievements_count", r.achievements_count);
          Put(out, "total_steps", r.total_steps);
          Put(out, "reward_metadata", r.reward_metadata), Put(out, "annotation", r.annotation);
        } else if constexpr (std::is_same_v<T, schema::TraceLinkRecord>) {
          Put(out, "trace_id", r.trace_id), Put(out, "session_id", r.session_id);
          Put(out, "from_session_id", r.from_session_id);
        } else {
          Put(out, "session_id", r.session_id), Put(out, "event_id", r.event_id);
          Put(out, "event_ref", r.event_ref), Put(out, "message_id", r.message_id);
          Put(out, "message_ref", r.message_ref), Put(out, "turn_number", r.turn_number);
          Put(out, "objective_key", r.objective_key), Put(out, "reward_value", r.reward_value);
          Put(out, "reward_type", r.reward_type), Put(out, "key", r.key);
          Put(out, "annotation", r.annotation), Put(out, "source", r.source);
        }
      },
      record.body);
  return out.str();
}

}  // namespace tc::ingest::testing
