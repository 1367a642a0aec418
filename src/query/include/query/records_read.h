#pragma once

// The read API's record and stats endpoints (docs/api.md §11-§14): events, messages and
// experiments, listed a page at a time (keyset cursors, never OFFSET) or one by id, and the
// model and usage stats aggregated over a time range. Like session_list.h: `query_string` is the
// request's query after '?', still percent-encoded, checked strictly (an unknown or repeated
// parameter is refused); `raw_id` is the path's {id} as sent (still percent-encoded). A bad
// parameter (the {id} too, named "id") is kInvalidArgument (ParameterOf names it); no such row
// is kNotFound; the store's errors as they are.

#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/read_store.h"

namespace tc::query {

// GET /v1/events: {"data":[event...],"meta":{"limit","has_more","next_cursor"}}, by events.id,
// newest first unless order=asc; filters session_id, event_type, model, from/to (created_at);
// include=bodies adds call_records and the system states.
Result<std::string> ListEvents(storage::ReadStore& store, std::string_view query_string);
// GET /v1/events/{id}: one event, with its bodies.
Result<std::string> ReadEvent(storage::ReadStore& store, std::string_view raw_id);

// GET /v1/messages: the same paging over messages.id; filters session_id, message_type,
// from/to (timestamp).
Result<std::string> ListMessages(storage::ReadStore& store, std::string_view query_string);
// GET /v1/messages/{id}.
Result<std::string> ReadMessage(storage::ReadStore& store, std::string_view raw_id);

// GET /v1/experiments: newest first by created_at (ties by experiment_id), keyset paged.
Result<std::string> ListExperiments(storage::ReadStore& store, std::string_view query_string);
// GET /v1/experiments/{id}: the experiment, its systems with their versions
// (experimental_systems) and its sessions' count and totals.
Result<std::string> ReadExperiment(storage::ReadStore& store, std::string_view raw_id);

// GET /v1/stats/models: synth-ai's model_usage_stats (per model and provider: calls, tokens,
// cost in dollars, average latency, first and last use) over the LM CAIS events whose
// created_at is in [from, to).
Result<std::string> ModelStats(storage::ReadStore& store, std::string_view query_string);
// GET /v1/stats/usage?group_by=model|day|experiment: tokens, cost, LM calls, events and
// distinct sessions per group, over the events whose created_at is in [from, to).
Result<std::string> UsageStats(storage::ReadStore& store, std::string_view query_string);

}  // namespace tc::query
