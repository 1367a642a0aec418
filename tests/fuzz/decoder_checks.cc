#include "decoder_checks.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <variant>

#include "common/check.h"
#include "ingest/body_scan.h"
#include "json_grammar.h"
#include "storage/statements.h"
#include "storage/write_plan.h"

namespace tc::fuzz {

namespace {

bool ValidUtf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

bool ValidJson(std::string_view text) {
  static simdjson::dom::parser parser;  // fuzzers run one input at a time
  simdjson::padded_string copy(text);
  simdjson::dom::element element;
  const simdjson::error_code error = parser.parse(copy).get(element);
  // RFC 8259 allows numbers of any size; simdjson's DOM refuses those it cannot represent.
  return error == simdjson::SUCCESS || error == simdjson::NUMBER_ERROR ||
         error == simdjson::NUMBER_OUT_OF_RANGE;
}

void CheckJsonField(const schema::JsonText& json, const char* name) {
  if (json && !ValidJson(*json)) {
    std::fprintf(stderr, "JSON field %s holds invalid JSON: %s\n", name, json->c_str());
    TC_CHECK(false);
  }
}

// Every JsonText member of every record type.
void CheckJsonFields(const schema::RecordBody& body) {
  std::visit(
      [](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, schema::SessionRecord> ||
                      std::is_same_v<T, schema::SessionEndRecord>) {
          CheckJsonField(r.metadata, "metadata");
        } else if constexpr (std::is_same_v<T, schema::TimestepRecord>) {
          CheckJsonField(r.step_metadata, "step_metadata");
        } else if constexpr (std::is_same_v<T, schema::EventRecord>) {
          CheckJsonField(r.call_records, "call_records");
          CheckJsonField(r.system_state_before, "system_state_before");
          CheckJsonField(r.system_state_after, "system_state_after");
          CheckJsonField(r.metadata, "metadata");
          CheckJsonField(r.event_metadata, "event_metadata");
        } else if constexpr (std::is_same_v<T, schema::MessageRecord>) {
          CheckJsonField(r.metadata, "metadata");
        } else if constexpr (std::is_same_v<T, schema::ExperimentRecord> ||
                             std::is_same_v<T, schema::SystemVersionRecord>) {
          CheckJsonField(r.configuration, "configuration");
          CheckJsonField(r.metadata, "metadata");
        } else if constexpr (std::is_same_v<T, schema::SystemRecord>) {
          CheckJsonField(r.metadata, "metadata");
        } else if constexpr (std::is_same_v<T, schema::OutcomeRewardRecord>) {
          CheckJsonField(r.reward_metadata, "reward_metadata");
        }
      },
      body);
}

void CheckPlan(const schema::Record& record) {
  const storage::RecordPlan plan = storage::PlanRecord(record, "2026-01-01T00:00:00.000000Z");
  TC_CHECK(!plan.steps.empty());
  TC_CHECK(plan.has_key_claim == !record.key.empty());
  if (plan.has_key_claim) {
    TC_CHECK(plan.steps[0].claim);
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const storage::Step& step = plan.steps[i];
    TC_CHECK(static_cast<size_t>(step.statement) < storage::kStatementCount);
    TC_CHECK(static_cast<int>(step.args.size()) == storage::StatementParamCount(step.statement));
    TC_CHECK(step.guard >= -1 && step.guard < static_cast<int32_t>(i));
    for (const storage::SqlValue& arg : step.args) {
      if (const std::string* text = std::get_if<std::string>(&arg)) {
        if (!ValidUtf8(*text)) {
          std::fprintf(stderr, "step %zu binds invalid UTF-8 text (%zu bytes)\n", i, text->size());
          TC_CHECK(false);
        }
      }
    }
  }
}

// A readable summary of a decoded request, for failure messages.
std::string Describe(const ingest::DecodedRequest& d) {
  std::string out = "total " + std::to_string(d.total) + "\n";
  for (size_t i = 0; i < d.records.size(); ++i) {
    out += "  record at " + std::to_string(d.indexes[i]) + " " +
           schema::RecordTypeName(d.records[i].body) + " key \"" + d.records[i].key + "\" id \"" +
           d.ids[i] + "\"\n";
  }
  for (const ingest::RecordError& e : d.errors) {
    out += "  refused at " + std::to_string(e.index) + " id \"" + e.id + "\" field \"" + e.field +
           "\": " + e.message + "\n";
  }
  return out;
}

}  // namespace

ingest::IngestLimits FuzzLimits() {
  ingest::IngestLimits limits;
  limits.max_records_per_request = 200;
  limits.max_string_bytes = 2048;
  limits.max_array_items = 200;
  limits.max_depth = 24;
  limits.max_id_bytes = 96;
  return limits;
}

void CheckDecoded(const Result<ingest::DecodedRequest>& result, bool traces,
                  const ingest::IngestLimits& limits) {
  static const bool verbose = std::getenv("TC_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%s",
                 result.has_value() ? Describe(*result).c_str()
                                    : (result.error().ToString() + "\n").c_str());
  }
  if (!result.has_value()) {
    TC_CHECK(result.error().code() == StatusCode::kInvalidArgument);
    TC_CHECK(!result.error().message().empty());
    TC_CHECK(ValidUtf8(result.error().message()));
    return;
  }
  const ingest::DecodedRequest& d = *result;
  TC_CHECK(d.records.size() == d.indexes.size());
  TC_CHECK(d.records.size() == d.ids.size());
  TC_CHECK(d.records.size() <= limits.max_records_per_request);
  if (!traces) {
    TC_CHECK(d.total == d.records.size() + d.errors.size() + d.errors_dropped);
  }
  TC_CHECK(d.errors.size() <= ingest::kMaxRecordErrors);
  TC_CHECK(d.errors_dropped == 0 || d.errors.size() == ingest::kMaxRecordErrors);
  // Walk positions 0..total-1: each is refused (one error, or counted only once
  // kMaxRecordErrors are listed) or accepted (records), not both.
  size_t r = 0;
  size_t e = 0;
  size_t dropped = 0;
  for (size_t position = 0; position < d.total; ++position) {
    const bool accepted = r < d.indexes.size() && d.indexes[r] == position;
    if (!accepted && e == d.errors.size() && dropped < d.errors_dropped) {
      ++dropped;  // refused after the listed ones
      continue;
    }
    const bool refused = e < d.errors.size() && d.errors[e].index == position;
    if (refused == accepted) {
      std::fprintf(stderr, "position %zu of %zu: refused=%d accepted=%d\n", position, d.total,
                   refused, accepted);
      TC_CHECK(refused != accepted);
    }
    if (refused) {
      const ingest::RecordError& error = d.errors[e++];
      TC_CHECK(!error.message.empty());
      TC_CHECK(ValidUtf8(error.message));
      TC_CHECK(ValidUtf8(error.field));
      TC_CHECK(ValidUtf8(error.id));
      continue;
    }
    const std::string& id = d.ids[r];
    TC_CHECK(ValidUtf8(id));
    size_t count = 0;
    while (r < d.indexes.size() && d.indexes[r] == position) {
      TC_CHECK(d.ids[r] == id);
      ++r;
      ++count;
    }
    TC_CHECK(traces || count == 1);
  }
  TC_CHECK(r == d.indexes.size());  // no position >= total, none out of order
  TC_CHECK(e == d.errors.size());
  TC_CHECK(traces || dropped == d.errors_dropped);
  for (const schema::Record& record : d.records) {
    TC_CHECK(ValidUtf8(record.key));
    CheckJsonFields(record.body);
    CheckPlan(record);
  }
}

void CheckInvalidJsonRefused(std::string_view body, bool ndjson,
                             const Result<ingest::DecodedRequest>& result) {
  static const bool skip = std::getenv("TC_FUZZ_ALLOW_INVALID_JSON") != nullptr;
  if (skip || !result.has_value()) {
    return;
  }
  if (!ndjson) {
    if (!IsJson(body)) {
      std::fprintf(stderr, "the body is not JSON but was decoded:\n%s", Describe(*result).c_str());
      TC_CHECK(false);
    }
    return;
  }
  size_t position = 0;
  size_t e = 0;
  ingest::internal::ForEachNdjsonLine(body, [&](const ingest::internal::NdjsonLine& line) {
    while (e < result->errors.size() && result->errors[e].index < position) {
      ++e;
    }
    const bool accepted = std::binary_search(result->indexes.begin(), result->indexes.end(),
                                             position);
    const bool refused = (e < result->errors.size() && result->errors[e].index == position) ||
                         (!accepted && result->errors_dropped > 0 && e == result->errors.size());
    if (!refused && !IsJson(line.text)) {
      std::fprintf(stderr, "NDJSON line %zu is not JSON but was accepted:\n%s", line.line_number,
                   Describe(*result).c_str());
      TC_CHECK(false);
    }
    ++position;
  });
}

void CheckSameDecoding(const Result<ingest::DecodedRequest>& a,
                       const Result<ingest::DecodedRequest>& b, const char* what) {
  if (!a.has_value() || !b.has_value()) {
    return;  // e.g. one more level of nesting went over max_depth
  }
  const auto fail = [&](const char* detail) {
    std::fprintf(stderr, "%s decode differently: %s\n--- first:\n%s--- second:\n%s", what, detail,
                 Describe(*a).c_str(), Describe(*b).c_str());
    TC_CHECK(false);
  };
  if (a->total != b->total || a->indexes != b->indexes || a->ids != b->ids) {
    fail("positions or ids");
  }
  if (a->errors.size() != b->errors.size() || a->errors_dropped != b->errors_dropped) {
    fail("number of refusals");
  }
  for (size_t i = 0; i < a->errors.size(); ++i) {
    if (a->errors[i].index != b->errors[i].index || a->errors[i].id != b->errors[i].id) {
      fail("refused positions");
    }
  }
  const std::string_view now = "2026-01-01T00:00:00.000000Z";
  for (size_t i = 0; i < a->records.size(); ++i) {
    if (a->records[i].key != b->records[i].key) {
      fail("record keys");
    }
    const storage::RecordPlan pa = storage::PlanRecord(a->records[i], now);
    const storage::RecordPlan pb = storage::PlanRecord(b->records[i], now);
    if (pa.steps.size() != pb.steps.size()) {
      fail("plan lengths");
    }
    for (size_t k = 0; k < pa.steps.size(); ++k) {
      const storage::Step& x = pa.steps[k];
      const storage::Step& y = pb.steps[k];
      if (x.statement != y.statement || x.guard != y.guard || x.claim != y.claim ||
          x.args != y.args) {
        fail("record contents (plan steps)");
      }
    }
  }
}

}  // namespace tc::fuzz
