// Decoded OTLP spans → Tracing V3 records (mapping.h; docs/otlp.md "How spans map").

#include "mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <unordered_map>

#include "attribute_index.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace tc::otlp {

using schema::EventRecord;
using schema::EventType;
using schema::MessageRecord;
using schema::MessageType;
using schema::Record;
using schema::TimestepRecord;

namespace {

void WriteAttributes(JsonWriter& json, const std::vector<KeyValue>& attributes) {
  json.BeginObject();
  for (const KeyValue& kv : attributes) {
    json.Key(kv.key);
    WriteValue(json, kv.value);
  }
  json.EndObject();
}

// The first of `keys` present as a string in `attributes`.
std::optional<std::string> FirstString(const std::vector<KeyValue>& attributes,
                                       std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (std::optional<std::string> v = AsString(Find(attributes, key)); v && !v->empty()) {
      return v;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Iso(uint64_t unix_nanos) { return IsoFromUnixNanos(unix_nanos); }

// The writer of the JSON columns, emptied: each column is copied out of it (a string of its own
// size, one allocation) and its buffer is kept for the next (up to 64 KiB). One column at a time: a
// caller copies its text out before anything it calls writes the next.
JsonWriter& Scratch() {
  thread_local JsonWriter json;
  if (json.str().capacity() > 64 * 1024) json = JsonWriter();  // not kept after a big column
  json.Clear();
  return json;
}

// Everything one span's records share.
struct SpanContext {
  const ResourceSpans* resource = nullptr;
  const ScopeSpans* scope = nullptr;
  const Span* span = nullptr;
  const SpanAttributes* attributes = nullptr;  // the span's
  std::string session_id;
  std::string step_id;
  std::string key;  // "~otlp/<trace>/<span>"
};

// "~otlp/<trace>/<span>".
std::string SpanKey(const Span& span) {
  std::string key;
  key.reserve(6 + span.trace_id.size() + 1 + span.span_id.size() + 10);  // + "/m<i>" later
  key += schema::kDerivedKeyMark;
  key += "otlp/";
  key += span.trace_id;
  key += '/';
  key += span.span_id;
  return key;
}

// The session a span's attributes (or its resource's) name; nullopt when they name none.
std::optional<std::string> NamedSession(const Span& span, const ResourceSpans& resource,
                                        const MappingOptions& options) {
  for (const std::vector<KeyValue>* attributes :
       {&span.attributes, &resource.resource_attributes}) {
    for (const std::string& key : options.session_attributes) {
      const AnyValue* v = Find(*attributes, key);
      if (std::optional<std::string> s = AsString(v); s && !s->empty()) return *s;
      if (std::optional<int64_t> i = v != nullptr && v->kind == AnyValue::Kind::kInt
                                         ? std::optional<int64_t>(v->integer)
                                         : std::nullopt) {
        return std::to_string(*i);
      }
    }
  }
  return std::nullopt;
}

// Where a trace's spans that name no session are stored until one of its spans names one.
std::string ProvisionalSession(const Span& span) { return "otel-" + span.trace_id; }

// What a request says about one trace: the session its first span that named one named (empty
// if none did), and the span the trace_link record is reported under.
struct TraceSessions {
  std::string trace_id;
  std::string session_id;
  size_t span_index = 0;
};

class TraceTable {
 public:
  void Note(const Span& span, const std::optional<std::string>& named, size_t span_index) {
    auto [it, added] = index_.try_emplace(span.trace_id, traces_.size());
    if (added) {
      traces_.push_back({span.trace_id, named.value_or(std::string()), span_index});
      return;
    }
    TraceSessions& t = traces_[it->second];
    if (named && t.session_id.empty()) {
      t.session_id = *named;
      t.span_index = span_index;
    }
  }
  std::vector<TraceSessions>& traces() { return traces_; }  // in order of first appearance

 private:
  std::vector<TraceSessions> traces_;
  std::unordered_map<std::string_view, size_t> index_;  // views of the request's trace ids
};

std::string SystemInstance(const SpanContext& c) {
  if (std::optional<std::string> name = FirstString(
          *c.attributes, {Attr::kGenAiAgentName, Attr::kAgentName, Attr::kTraceloopEntityName,
                          Attr::kTraceloopWorkflowName, Attr::kAiTelemetryFunctionId})) {
    return *name;
  }
  if (std::optional<std::string> service =
          FirstString(c.resource->resource_attributes, {"service.name"})) {
    return *service;
  }
  if (!c.scope->scope_name.empty()) return c.scope->scope_name;
  return "otel";
}

// {"step_id":..,"source":"otlp",["error":{..}],"otel":{name, kind, ids, status, scope,
// resource, attributes, events}} (+ `extra` members written by the caller first).
template <typename Extra>
std::string Metadata(const SpanContext& c, Extra extra) {
  const Span& s = *c.span;
  JsonWriter& json = Scratch();
  json.BeginObject();
  json.Key("step_id").String(c.step_id);
  json.Key("source").String("otlp");
  extra(json);
  if (s.status_code == 2) {
    // What marks the event as an error for the session totals (docs/api.md §10).
    json.Key("error").BeginObject();
    json.Key("type");
    if (std::optional<std::string> type = FirstString(*c.attributes, {Attr::kErrorType})) {
      json.String(*type);
    } else {
      json.String("error");
    }
    json.Key("message").String(s.status_message);
    json.EndObject();
  }
  json.Key("otel").BeginObject();
  json.Key("name").String(s.name);
  json.Key("kind").Int(s.kind);
  json.Key("parent_span_id");  // (its own ids are the event's span_id / trace_id columns)
  if (s.parent_span_id.empty()) {
    json.Null();
  } else {
    json.String(s.parent_span_id);
  }
  json.Key("status").BeginObject().Key("code").Int(s.status_code);
  if (!s.status_message.empty()) json.Key("message").String(s.status_message);
  json.EndObject();
  json.Key("scope").BeginObject().Key("name").String(c.scope->scope_name);
  json.Key("version").String(c.scope->scope_version).EndObject();
  if (std::optional<std::string> service =
          FirstString(c.resource->resource_attributes, {"service.name"})) {
    json.Key("service").String(*service);
  }
  // What no column, call record, message or tool member holds already (every event repeating
  // the mapped ones, or the resource's, would double the size of a row).
  json.Key("attributes").BeginObject();
  for (size_t i = 0; i < s.attributes.size(); ++i) {
    if (c.attributes->Mapped(i)) continue;
    const KeyValue& kv = s.attributes[i];
    json.Key(kv.key);
    WriteValue(json, kv.value);
  }
  json.EndObject();
  if (!s.events.empty()) {
    json.Key("events").BeginArray();
    for (const SpanEvent& e : s.events) {
      json.Element().BeginObject();
      json.Key("name").String(e.name);
      json.Key("time_unix_nano").Uint(e.time_unix_nano);
      json.Key("attributes");
      WriteAttributes(json, e.attributes);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
  json.EndObject();
  return json.str();
}

std::optional<int64_t> LatencyMs(const Span& s) {
  if (s.start_time_unix_nano == 0 || s.end_time_unix_nano < s.start_time_unix_nano) {
    return std::nullopt;
  }
  return static_cast<int64_t>((s.end_time_unix_nano - s.start_time_unix_nano) / 1000000);
}

EventRecord BaseEvent(const SpanContext& c, EventType type) {
  const Span& s = *c.span;
  EventRecord e;
  e.session_id = c.session_id;
  e.step_id = c.step_id;
  e.event_type = type;
  e.system_instance_id = SystemInstance(c);
  if (s.start_time_unix_nano != 0) {
    e.event_time = static_cast<double>(s.start_time_unix_nano) / 1e9;
    e.created_at = Iso(s.start_time_unix_nano);
  }
  e.message_time = FirstInt(*c.attributes, {Attr::kSynthTurnNumber});
  e.span_id = s.span_id;
  e.trace_id = s.trace_id;
  e.latency_ms = LatencyMs(s);  // a tool's or a step's duration too (the viewer's waterfall)
  return e;
}

std::string ApiType(const SpanAttributes& attributes) {
  const std::optional<std::string> op =
      FirstString(attributes, {Attr::kGenAiOperationName, Attr::kLlmRequestType});
  if (OneOf(op, {"chat"})) return "chat_completions";
  if (OneOf(op, {"text_completion", "completion"})) return "completions";
  if (OneOf(op, {"embeddings", "embedding"})) return "embeddings";
  if (op) return *op;
  if (OneOf(FirstString(attributes, {Attr::kAiOperationId}),
            {"ai.embed.doEmbed", "ai.embedMany.doEmbed"})) {
    return "embeddings";
  }
  return "chat_completions";
}

EventRecord LlmEvent(const SpanContext& c) {
  const Span& s = *c.span;
  const SpanAttributes& a = *c.attributes;
  EventRecord e = BaseEvent(c, EventType::kCais);
  e.model_name =
      FirstString(a, {Attr::kGenAiResponseModel, Attr::kGenAiRequestModel, Attr::kLlmModelName,
                      Attr::kLlmResponseModelName, Attr::kLlmRequestModelName,
                      Attr::kEmbeddingModelName, Attr::kAiModelId});
  e.provider = FirstString(
      a, {Attr::kGenAiProviderName, Attr::kGenAiSystem, Attr::kLlmProvider, Attr::kLlmSystem});
  e.input_tokens = FirstInt(a, {Attr::kGenAiUsageInputTokens, Attr::kGenAiUsagePromptTokens,
                                Attr::kLlmTokenCountPrompt, Attr::kAiUsagePromptTokens});
  e.output_tokens = FirstInt(a, {Attr::kGenAiUsageOutputTokens, Attr::kGenAiUsageCompletionTokens,
                                 Attr::kLlmTokenCountCompletion, Attr::kAiUsageCompletionTokens});
  e.total_tokens = FirstInt(
      a, {Attr::kLlmTokenCountTotal, Attr::kLlmUsageTotalTokens, Attr::kGenAiUsageTotalTokens});
  if (!e.total_tokens && (e.input_tokens || e.output_tokens)) {
    e.total_tokens = e.input_tokens.value_or(0) + e.output_tokens.value_or(0);
  }
  e.cost_usd = FirstDouble(a, {Attr::kLlmCostTotal, Attr::kGenAiUsageCost});
  if (!e.cost_usd) {
    const std::optional<double> prompt = FirstDouble(a, {Attr::kLlmCostPrompt});
    const std::optional<double> completion = FirstDouble(a, {Attr::kLlmCostCompletion});
    if (prompt || completion) e.cost_usd = prompt.value_or(0) + completion.value_or(0);
  }

  // One LLMCallRecord (synth-ai's call_records item).
  JsonWriter& json = Scratch();
  json.BeginArray().Element().BeginObject();
  const std::optional<std::string> response_id =
      FirstString(a, {Attr::kGenAiResponseId, Attr::kAiResponseId});
  json.Key("call_id").String(response_id.value_or(s.span_id));
  json.Key("api_type").String(ApiType(a));
  if (e.provider) json.Key("provider").String(*e.provider);
  if (e.model_name) json.Key("model_name").String(*e.model_name);
  if (response_id) json.Key("provider_request_id").String(*response_id);
  if (e.created_at) json.Key("started_at").String(*e.created_at);  // the span's start
  if (std::optional<std::string> completed = Iso(s.end_time_unix_nano)) {
    json.Key("completed_at").String(*completed);
  }
  if (e.latency_ms) json.Key("latency_ms").Int(*e.latency_ms);
  json.Key("request_params").BeginObject();
  static constexpr std::pair<Attr, std::string_view> kParams[] = {
      {Attr::kGenAiRequestTemperature, "temperature"},
      {Attr::kGenAiRequestTopP, "top_p"},
      {Attr::kGenAiRequestTopK, "top_k"},
      {Attr::kGenAiRequestMaxTokens, "max_tokens"},
      {Attr::kGenAiRequestSeed, "seed"},
      {Attr::kGenAiRequestFrequencyPenalty, "frequency_penalty"},
      {Attr::kGenAiRequestPresencePenalty, "presence_penalty"},
      {Attr::kGenAiRequestStopSequences, "stop"}};
  for (const auto& [attribute, param] : kParams) {
    if (const AnyValue* v = a.Get(attribute)) {
      json.Key(param);
      WriteValue(json, *v);
    }
  }
  if (const AnyValue* params = a.Get(Attr::kLlmInvocationParameters)) {
    json.Key("raw_params");
    WriteValue(json, *params);
  }
  json.EndObject();
  json.Key("usage").BeginObject();
  if (e.input_tokens) json.Key("input_tokens").Int(*e.input_tokens);
  if (e.output_tokens) json.Key("output_tokens").Int(*e.output_tokens);
  if (e.total_tokens) json.Key("total_tokens").Int(*e.total_tokens);
  if (std::optional<int64_t> cached = FirstInt(
          a, {Attr::kGenAiUsageCacheReadInputTokens, Attr::kLlmTokenCountPromptCacheRead})) {
    json.Key("cache_read_input_tokens").Int(*cached);
  }
  if (std::optional<int64_t> reasoning = FirstInt(
          a, {Attr::kGenAiUsageReasoningOutputTokens, Attr::kLlmTokenCountCompletionReasoning})) {
    json.Key("reasoning_tokens").Int(*reasoning);
  }
  if (e.cost_usd) json.Key("cost_usd").Double(*e.cost_usd);
  json.EndObject();
  if (const AnyValue* reasons = a.Get(Attr::kGenAiResponseFinishReasons)) {
    json.Key("finish_reason");
    if (reasons->kind == AnyValue::Kind::kArray && !reasons->array.empty()) {
      WriteValue(json, reasons->array.front());
    } else {
      WriteValue(json, *reasons);
    }
  }
  json.Key("outcome").String(s.status_code == 2 ? "error" : "success");
  if (s.status_code == 2) {
    json.Key("error").BeginObject();
    json.Key("type").String(FirstString(a, {Attr::kErrorType}).value_or("error"));
    json.Key("message").String(s.status_message);
    json.EndObject();
  }
  json.EndObject().EndArray();  // the span and trace ids are the event's columns
  e.call_records = json.str();
  e.metadata = Metadata(c, [](JsonWriter&) {});
  return e;
}

EventRecord RuntimeEvent(const SpanContext& c, SpanClass cls) {
  const SpanAttributes& a = *c.attributes;
  EventRecord e = BaseEvent(c, EventType::kRuntime);
  e.metadata = Metadata(c, [&](JsonWriter& json) {
    json.Key("actions").BeginArray().EndArray();  // synth-ai's runtime events carry list[int]
    if (cls != SpanClass::kTool) return;
    json.Key("tool").BeginObject();
    json.Key("name").String(FirstString(a, {Attr::kGenAiToolName, Attr::kToolName,
                                            Attr::kTraceloopEntityName, Attr::kAiToolCallName})
                                .value_or(c.span->name));
    struct ToolField {
      const char* key;
      std::array<Attr, 4> sources;  // kCount entries unused
    };
    static constexpr ToolField kFields[] = {
        {"call_id", {Attr::kGenAiToolCallId, Attr::kToolId, Attr::kAiToolCallId, Attr::kCount}},
        {"arguments",
         {Attr::kGenAiToolCallArguments, Attr::kInputValue, Attr::kTraceloopEntityInput,
          Attr::kAiToolCallArgs}},
        {"result",
         {Attr::kGenAiToolCallResult, Attr::kOutputValue, Attr::kTraceloopEntityOutput,
          Attr::kAiToolCallResult}},
    };
    for (const ToolField& field : kFields) {
      for (Attr source : field.sources) {
        const AnyValue* v = source == Attr::kCount ? nullptr : a.Get(source);
        if (v == nullptr) continue;
        json.Key(field.key);
        WriteValue(json, *v);
        break;
      }
    }
    json.EndObject();
  });
  return e;
}

MessageType MessageTypeFor(const ContentMessage& m) {
  if (m.kind == "tool_call") return MessageType::kToolUse;
  if (m.kind == "tool_call_response" || m.role == "tool") return MessageType::kToolResult;
  if (m.role == "system" || m.role == "developer") return MessageType::kSystem;
  if (m.role == "assistant" || m.role == "model") return MessageType::kAssistant;
  return MessageType::kUser;
}

void AddMessages(const SpanContext& c, Conversion* out, size_t span_index) {
  const SpanContent content = ExtractContent(*c.span, *c.attributes);
  // Each call re-sends the conversation so far: only what follows the last assistant message
  // of its input is new (the rest was stored with an earlier call).
  size_t first_new = 0;
  for (size_t i = 0; i < content.input.size(); ++i) {
    if (content.input[i].role == "assistant" || content.input[i].role == "model") first_new = i + 1;
  }
  size_t n = 0;
  auto add = [&](const ContentMessage& m, uint64_t at_nanos, const char* direction) {
    MessageRecord r;
    r.session_id = c.session_id;
    r.step_id = c.step_id;
    r.message_type = MessageTypeFor(m);
    r.content = m.content;
    r.timestamp = Iso(at_nanos);
    if (at_nanos != 0) r.event_time = static_cast<double>(at_nanos) / 1e9;
    JsonWriter& json = Scratch();
    json.BeginObject();
    json.Key("step_id").String(c.step_id);
    json.Key("source").String("otlp");
    json.Key("role").String(m.role);
    json.Key("direction").String(direction);
    json.Key("span_id").String(c.span->span_id);
    json.EndObject();
    r.metadata = json.str();
    out->records.push_back(Record{fmt::format("{}/m{}", c.key, n++), std::move(r)});
    out->span_of_record.push_back(span_index);
  };
  for (size_t i = first_new; i < content.input.size(); ++i) {
    add(content.input[i], c.span->start_time_unix_nano, "input");
  }
  for (const ContentMessage& m : content.output) {
    add(m, c.span->end_time_unix_nano, "output");
  }
}

void AddReward(const SpanContext& c, Conversion* out, size_t span_index) {
  const SpanAttributes& a = *c.attributes;
  const std::optional<double> reward = FirstDouble(a, {Attr::kSynthReward});
  const AnyValue* terminated = a.Get(Attr::kSynthTerminated);
  const AnyValue* truncated = a.Get(Attr::kSynthTruncated);
  if (!reward && terminated == nullptr && truncated == nullptr) return;
  EventRecord e = BaseEvent(c, EventType::kEnvironment);
  e.reward = reward;
  if (terminated != nullptr && terminated->kind == AnyValue::Kind::kBool) {
    e.terminated = terminated->boolean;
  }
  if (truncated != nullptr && truncated->kind == AnyValue::Kind::kBool) {
    e.truncated = truncated->boolean;
  }
  e.metadata = Metadata(c, [](JsonWriter&) {});
  out->records.push_back(Record{c.key + "/reward", std::move(e)});
  out->span_of_record.push_back(span_index);
}

TimestepRecord AgentStep(const SpanContext& c) {
  const Span& s = *c.span;
  TimestepRecord t;
  t.session_id = c.session_id;
  t.step_id = c.step_id;
  t.turn_number = FirstInt(*c.attributes, {Attr::kSynthTurnNumber});
  t.started_at = Iso(s.start_time_unix_nano);
  t.completed_at = Iso(s.end_time_unix_nano);
  JsonWriter& json = Scratch();
  json.BeginObject();
  json.Key("source").String("otlp");
  json.Key("name").String(s.name);
  json.Key("span_id").String(s.span_id);
  json.Key("status").Int(s.status_code);
  if (std::optional<std::string> agent = FirstString(
          *c.attributes, {Attr::kGenAiAgentName, Attr::kAgentName, Attr::kTraceloopEntityName,
                          Attr::kTraceloopWorkflowName, Attr::kAiTelemetryFunctionId})) {
    json.Key("agent").String(*agent);
  }
  if (std::optional<std::string> input = FirstString(*c.attributes, {Attr::kInputValue})) {
    json.Key("input").String(*input);
  }
  json.EndObject();
  t.step_metadata = json.str();
  return t;
}

}  // namespace

Conversion MapSpans(const ExportRequest& request, const MappingOptions& options) {
  Conversion out;
  out.spans = request.span_count;
  size_t span_index = 0;
  TraceTable traces;  // of the stored spans
  for (const ResourceSpans& resource : request.resource_spans) {
    for (const ScopeSpans& scope : resource.scope_spans) {
      for (const Span& span : scope.spans) {
        const size_t index = span_index++;
        // Over the bound: stop making records (Convert refuses the request).
        if (options.max_records != 0 && out.records.size() > options.max_records) return out;
        if (!span.problem.empty()) {
          if (out.rejected_spans++ == 0) out.rejected_message = span.problem;
          continue;
        }
        const SpanAttributes attributes(span.attributes);
        const SpanClass cls = Classify(attributes);
        const bool has_reward = attributes.Get(Attr::kSynthReward) != nullptr ||
                                attributes.Get(Attr::kSynthTerminated) != nullptr;
        if (cls == SpanClass::kUnrelated && !options.keep_other_spans && !has_reward) {
          ++out.dropped_spans;
          continue;
        }
        SpanContext c;
        c.resource = &resource;
        c.scope = &scope;
        c.span = &span;
        c.attributes = &attributes;
        const std::optional<std::string> named = NamedSession(span, resource, options);
        c.session_id = named ? *named : ProvisionalSession(span);
        traces.Note(span, named, index);
        c.step_id = FirstString(attributes, {Attr::kSynthStepId}).value_or(span.trace_id);
        c.key = SpanKey(span);
        switch (cls) {
          case SpanClass::kLlm:
            ++out.llm_spans;
            out.records.push_back(Record{c.key, LlmEvent(c)});
            out.span_of_record.push_back(index);
            AddMessages(c, &out, index);
            break;
          case SpanClass::kAgent:
            out.records.push_back(Record{c.key + "/step", AgentStep(c)});
            out.span_of_record.push_back(index);
            break;
          case SpanClass::kTool:
          case SpanClass::kOtherGenAi:
          case SpanClass::kUnrelated:
            if (cls != SpanClass::kUnrelated || options.keep_other_spans) {
              out.records.push_back(Record{c.key, RuntimeEvent(c, cls)});
              out.span_of_record.push_back(index);
            }
            break;
        }
        AddReward(c, &out, index);
      }
    }
  }
  // Each trace's link: where its spans that named no session go, whatever the order its spans
  // arrive in (schema::TraceLinkRecord). No key: storing it again is harmless, and needed when
  // spans that named no session arrive after the link was learned.
  for (TraceSessions& t : traces.traces()) {
    schema::TraceLinkRecord link;
    link.from_session_id = "otel-" + t.trace_id;
    link.trace_id = std::move(t.trace_id);
    link.session_id = std::move(t.session_id);
    out.records.push_back(Record{std::string(), std::move(link)});
    out.span_of_record.push_back(t.span_index);
  }
  // The queue weighs a record by its strings' capacity: give back what the writers' growth
  // left over (up to about as much again as the text).
  auto shrink = [](std::optional<std::string>& text) {
    if (text) text->shrink_to_fit();
  };
  for (Record& record : out.records) {
    if (auto* e = std::get_if<EventRecord>(&record.body)) {
      shrink(e->metadata);
      shrink(e->call_records);
    } else if (auto* m = std::get_if<MessageRecord>(&record.body)) {
      shrink(m->metadata);
      m->content.shrink_to_fit();
    } else if (auto* t = std::get_if<TimestepRecord>(&record.body)) {
      shrink(t->step_metadata);
    }
  }
  return out;
}

}  // namespace tc::otlp
