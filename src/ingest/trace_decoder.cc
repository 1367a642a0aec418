// DecodeTraces: synth-ai SessionTrace documents (SessionTrace.to_dict()) → records.

#include <fmt/format.h>
#include <simdjson.h>

#include <deque>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "body_scan.h"
#include "ingest/decoder.h"
#include "json_check.h"
#include "json_reader.h"
#include "record_decoder.h"

namespace tc::ingest {
namespace {

using internal::EventDraft;
using internal::MessageDraft;
namespace od = simdjson::ondemand;
using internal::Reader;

// An event or message with the compact JSON of its whole object (to match the copies asdict
// writes into event_history and into the step lists).
template <typename Draft>
struct Item {
  Draft draft;
  std::string print;
};
using EventItem = Item<EventDraft>;
using MessageItem = Item<MessageDraft>;

struct StepDraft {
  schema::TimestepRecord record;
  std::vector<EventItem> events;
  std::vector<MessageItem> messages;
};

struct Document {
  std::string session_id;
  bool has_session_id = false;
  schema::SessionRecord session;
  internal::MetadataObject metadata;
  schema::JsonText session_metadata;
  std::vector<StepDraft> steps;
  std::vector<EventItem> event_history;
  std::vector<MessageItem> message_history;
  std::vector<schema::OutcomeRewardRecord> outcome_rewards;
  std::vector<schema::EventRewardRecord> event_rewards;
};

const std::string kNoSession;  // rewards' session_id is filled from the document afterwards

// Calls fn(object, path) for each element of the array `v` (which must be an array of
// objects, or null), enforcing max_array_items.
template <typename Fn>
bool ForEachObject(od::value& v, Reader& r, std::string_view field, Fn&& fn) {
  od::json_type type;
  if (!r.Type(v, field, &type)) return false;
  if (type == od::json_type::null) return true;
  if (type != od::json_type::array) {
    return r.Fail(std::string(field),
                  fmt::format("expected an array, got {}", internal::JsonTypeName(type)));
  }
  od::array array;
  if (auto err = v.get_array().get(array)) return r.FailCode(std::string(field), err);
  size_t index = 0;
  for (auto element : array) {
    std::string path = fmt::format("{}[{}]", field, index);
    if (++index > r.limits().max_array_items) {
      return r.Fail(std::string(field),
                    fmt::format("array has more than max_array_items ({}) items",
                                r.limits().max_array_items));
    }
    od::value value;
    if (auto err = element.get(value)) return r.FailCode(path, err);
    od::json_type element_type;
    if (!r.Type(value, path, &element_type)) return false;
    if (element_type != od::json_type::object) {
      return r.Fail(
          path, fmt::format("expected an object, got {}", internal::JsonTypeName(element_type)));
    }
    const char* start = value.raw_json_token().data();
    od::object object;
    if (auto err = value.get_object().get(object)) return r.FailCode(path, err);
    if (!fn(object, path)) return r.Reroot(path);
    if (!fn.Done(start, r.EndOf(value), path)) return false;
  }
  return true;
}

// Adapters giving ForEachObject a per-element reader and a hook for the element's raw text.
template <typename Draft, typename ReadFn>
struct ItemReader {
  Reader& r;
  std::vector<Item<Draft>>* out;
  ReadFn read;
  bool operator()(od::object& object, const std::string&) {
    out->emplace_back();
    return read(object, r, &out->back().draft);
  }
  bool Done(const char* start, const char* end, const std::string& path) {
    return r.Minify(start, end, path, &out->back().print);
  }
};
template <typename Draft, typename ReadFn>
ItemReader<Draft, ReadFn> MakeItemReader(Reader& r, std::vector<Item<Draft>>* out, ReadFn read) {
  return ItemReader<Draft, ReadFn>{r, out, read};
}

// synth-ai's BaseEvent requires system_instance_id: a SessionTrace event without one (for example an
// object with none of an event's fields) is refused, not stored as an empty runtime event. (A v1
// "event" record keeps its documented default "".)
bool ReadTraceEvent(od::object& object, Reader& r, internal::EventDraft* draft) {
  if (!internal::ReadEventFields(object, r, draft)) return false;
  return draft->has_system_instance_id ||
         r.Fail("system_instance_id", "required field is missing (synth-ai requires it)");
}

template <typename Fn>
struct PlainReader {
  Fn fn;
  bool operator()(od::object& object, const std::string& path) { return fn(object, path); }
  bool Done(const char*, const char*, const std::string&) { return true; }
};
template <typename Fn>
PlainReader<Fn> MakePlainReader(Fn fn) {
  return PlainReader<Fn>{std::move(fn)};
}

template <typename Fn>
bool ForEachField(od::object& object, Reader& r, Fn&& fn) {
  for (auto result : object) {
    od::field field;
    if (auto err = std::move(result).get(field)) return r.FailCode("", err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return r.FailCode("", err);
    if (!fn(key, field.value())) return false;
  }
  return true;
}

bool ReadStep(od::object& object, Reader& r, StepDraft* step) {
  bool has_step_id = false;
  schema::OptString timestamp;
  if (!ForEachField(object, r, [&](std::string_view key, od::value& v) {
        schema::TimestepRecord& t = step->record;
        if (key == "step_id") return has_step_id = r.Id(v, key, &t.step_id);
        if (key == "step_index") return r.OptInt(v, key, &t.step_index);
        if (key == "turn_number") return r.OptInt(v, key, &t.turn_number);
        if (key == "timestamp") return r.OptTime(v, key, &timestamp);
        if (key == "started_at") return r.OptTime(v, key, &t.started_at);
        if (key == "completed_at") return r.OptTime(v, key, &t.completed_at);
        if (key == "step_metadata") return r.Json(v, key, &t.step_metadata);
        if (key == "events") {
          return ForEachObject(v, r, key,
                               MakeItemReader(r, &step->events, ReadTraceEvent));
        }
        if (key == "markov_blanket_messages" || key == "step_messages") {
          if (!step->messages.empty()) return true;  // new name given first: keep it
          return ForEachObject(v, r, key,
                               MakeItemReader(r, &step->messages, internal::ReadCompleteMessage));
        }
        return true;
      })) {
    return false;
  }
  if (!step->record.started_at) step->record.started_at = std::move(timestamp);
  return has_step_id || r.Fail("step_id", "required field is missing");
}

bool ReadDocument(od::object& object, Reader& r, Document* doc) {
  auto read_outcome = [&](od::object& o, const std::string&) {
    doc->outcome_rewards.emplace_back();
    return internal::ReadOutcomeReward(o, r, &kNoSession, &doc->outcome_rewards.back());
  };
  auto read_event_reward = [&](od::object& o, const std::string&) {
    doc->event_rewards.emplace_back();
    return internal::ReadEventReward(o, r, &kNoSession, &doc->event_rewards.back());
  };
  auto read_step = [&](od::object& o, const std::string&) {
    doc->steps.emplace_back();
    return ReadStep(o, r, &doc->steps.back());
  };
  return ForEachField(object, r, [&](std::string_view key, od::value& v) {
    if (key == "session_id") return doc->has_session_id = r.Id(v, key, &doc->session_id);
    if (key == "created_at") return r.OptTime(v, key, &doc->session.created_at);
    if (key == "metadata") return r.Metadata(v, key, &doc->metadata);
    if (key == "session_metadata") return r.Json(v, key, &doc->session_metadata);
    if (key == "experiment_id") return r.OptId(v, key, &doc->session.experiment_id);
    if (key == "session_time_steps") {
      return ForEachObject(v, r, key, MakePlainReader(read_step));
    }
    if (key == "event_history") {
      return ForEachObject(v, r, key,
                           MakeItemReader(r, &doc->event_history, ReadTraceEvent));
    }
    if (key == "markov_blanket_message_history" || key == "message_history") {
      if (!doc->message_history.empty()) return true;
      return ForEachObject(v, r, key,
                           MakeItemReader(r, &doc->message_history, internal::ReadCompleteMessage));
    }
    if (key == "outcome_rewards") return ForEachObject(v, r, key, MakePlainReader(read_outcome));
    if (key == "event_rewards") {
      return ForEachObject(v, r, key, MakePlainReader(read_event_reward));
    }
    return true;
  });
}

// Events (or messages) stored once: the history when it is non-empty, else the step lists.
// A history item without a step id takes the step whose list holds an identical item.
template <typename Draft, typename FinishFn>
void EmitItems(std::vector<Item<Draft>>& history, std::vector<Item<Draft>> StepDraft::*list,
               std::vector<StepDraft>& steps, const std::string& session_id, const char* kind,
               FinishFn finish, std::vector<schema::Record>* out) {
  size_t index = 0;
  auto emit = [&](Draft&& draft, const std::string* step_id) {
    draft.record.session_id = session_id;
    out->push_back(schema::Record{fmt::format("trace:{}:{}:{}", session_id, kind, index++),
                                  finish(std::move(draft), step_id)});
  };
  if (history.empty()) {
    for (StepDraft& step : steps) {
      for (Item<Draft>& item : step.*list) emit(std::move(item.draft), &step.record.step_id);
    }
    return;
  }
  std::unordered_map<std::string_view, std::deque<const std::string*>> owners;
  for (const StepDraft& step : steps) {
    for (const Item<Draft>& item : step.*list) owners[item.print].push_back(&step.record.step_id);
  }
  for (Item<Draft>& item : history) {
    const std::string* step_id = nullptr;
    auto it = owners.find(item.print);
    if (it != owners.end() && !it->second.empty()) {
      step_id = it->second.front();
      it->second.pop_front();
    }
    emit(std::move(item.draft), step_id);
  }
}

std::vector<schema::Record> Emit(Document& doc) {
  std::vector<schema::Record> out;
  const std::string& sid = doc.session_id;
  doc.session.session_id = sid;
  if (doc.session_metadata && *doc.session_metadata != "[]" &&
      !doc.metadata.HasKey("session_metadata")) {
    doc.metadata.present = true;
    doc.metadata.members.emplace_back("session_metadata",
                                      "\"session_metadata\":" + *doc.session_metadata);
  }
  doc.session.metadata = internal::BuildMetadata(doc.metadata, nullptr, nullptr);
  out.push_back(schema::Record{fmt::format("trace:{}:session", sid), std::move(doc.session)});
  for (StepDraft& step : doc.steps) {
    schema::TimestepRecord record = step.record;  // step_id still needed by EmitItems
    record.session_id = sid;
    out.push_back(
        schema::Record{fmt::format("trace:{}:step:{}", sid, record.step_id), std::move(record)});
  }
  EmitItems(doc.event_history, &StepDraft::events, doc.steps, sid, "event", internal::FinishEvent,
            &out);
  EmitItems(doc.message_history, &StepDraft::messages, doc.steps, sid, "message",
            internal::FinishMessage, &out);
  for (size_t i = 0; i < doc.outcome_rewards.size(); ++i) {
    doc.outcome_rewards[i].session_id = sid;
    out.push_back(schema::Record{fmt::format("trace:{}:outcome_reward:{}", sid, i),
                                 std::move(doc.outcome_rewards[i])});
  }
  for (size_t i = 0; i < doc.event_rewards.size(); ++i) {
    doc.event_rewards[i].session_id = sid;
    out.push_back(schema::Record{fmt::format("trace:{}:event_reward:{}", sid, i),
                                 std::move(doc.event_rewards[i])});
  }
  return out;
}

simdjson::padded_string_view PaddedView(std::string_view body) {
  return simdjson::padded_string_view(body.data(), body.size(),
                                      body.size() + simdjson::SIMDJSON_PADDING);
}

Status BodyError(std::string_view where, simdjson::error_code err) {
  return Status::InvalidArgument(
      fmt::format("{}: not valid JSON: {}", where, simdjson::error_message(err)));
}

// Decodes the document at `index` (an od::value array element, or the root od::object) into
// `request`. Whole-body errors are returned.
template <typename Json>
Status DecodeDocument(Json& json, size_t index, std::string_view where, const char* body_end,
                      const IngestLimits& limits, DecodedRequest* request) {
  ++request->total;
  Reader reader(limits, body_end);
  Document doc;
  bool ok = true;
  if constexpr (std::is_same_v<Json, od::object>) {
    ok = ReadDocument(json, reader, &doc);
  } else {
    od::json_type type;
    ok = reader.Type(json, "", &type);
    if (ok && type != od::json_type::object) {
      ok = reader.Fail(
          "", fmt::format("expected a SessionTrace object, got {}", internal::JsonTypeName(type)));
    }
    od::object object;
    if (ok) {
      if (auto err = json.get_object().get(object)) ok = reader.FailCode("", err);
    }
    ok = ok && ReadDocument(object, reader, &doc);
  }
  if (ok && !doc.has_session_id) ok = reader.Fail("session_id", "required field is missing");
  if (!ok) {
    const internal::FieldError& error = reader.error();
    if (error.syntax) {
      return Status::InvalidArgument(
          fmt::format("{}: {}", internal::JoinPath(where, error.field), error.message));
    }
    request->AddError(RecordError{index, doc.session_id, error.field, error.message});
    return Status::Ok();
  }
  std::vector<schema::Record> records = Emit(doc);
  if (request->records.size() + records.size() > limits.max_records_per_request) {
    return Status::InvalidArgument(
        fmt::format("the documents make more than max_records_per_request ({}) records",
                    limits.max_records_per_request));
  }
  for (schema::Record& record : records) {
    request->records.push_back(std::move(record));
    request->indexes.push_back(index);
    request->ids.push_back(doc.session_id);
  }
  return Status::Ok();
}

}  // namespace

Result<DecodedRequest> DecodeTraces(std::string_view padded_body, const IngestLimits& limits) {
  TC_RETURN_IF_ERROR(internal::CheckBody(padded_body, limits.max_depth));
  const char* body_end = padded_body.data() + padded_body.size();
  od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(PaddedView(padded_body)).get(doc)) return BodyError("body", err);
  od::json_type type;
  if (auto err = doc.type().get(type)) return BodyError("body", err);
  DecodedRequest request;
  od::array array;
  std::string prefix;
  if (type == od::json_type::object) {
    od::object root;
    if (auto err = doc.get_object().get(root)) return BodyError("body", err);
    od::value traces;
    auto err = root.find_field_unordered("traces").get(traces);
    if (err == simdjson::NO_SUCH_FIELD) {  // one SessionTrace
      bool reset_ok = false;
      if (auto reset_err = root.reset().get(reset_ok)) return BodyError("body", reset_err);
      TC_RETURN_IF_ERROR(DecodeDocument(root, 0, "", body_end, limits, &request));
      return request;
    }
    if (err) return BodyError("body", err);
    od::json_type traces_type;
    if (auto type_err = traces.type().get(traces_type)) return BodyError("traces", type_err);
    if (traces_type != od::json_type::array) {
      return Status::InvalidArgument(
          fmt::format("traces: expected an array, got {}", internal::JsonTypeName(traces_type)));
    }
    if (auto array_err = traces.get_array().get(array)) return BodyError("traces", array_err);
    prefix = "traces";
  } else if (type == od::json_type::array) {
    if (auto err = doc.get_array().get(array)) return BodyError("body", err);
  } else {
    return Status::InvalidArgument(fmt::format(
        "body must be a SessionTrace object, an array of them or {{\"traces\":[...]}}; got {}",
        internal::JsonTypeName(type)));
  }
  size_t index = 0;
  for (auto element : array) {
    std::string where = fmt::format("{}[{}]", prefix, index);
    if (index >= limits.max_records_per_request) {
      return Status::InvalidArgument(fmt::format("more than max_records_per_request ({}) documents",
                                                 limits.max_records_per_request));
    }
    od::value value;
    if (auto err = element.get(value)) return BodyError(where, err);
    TC_RETURN_IF_ERROR(DecodeDocument(value, index, where, body_end, limits, &request));
    ++index;
  }
  return request;
}

}  // namespace tc::ingest
