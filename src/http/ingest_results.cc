#include "ingest_results.h"

#include <fmt/format.h>

#include <iterator>
#include <limits>
#include <string_view>

#include "common/json_writer.h"

namespace tc::http {

namespace {

enum class EntryStatus {
  kStored,
  kDuplicate,
  kSpooled,
  kQueued,
  kRefusedInvalid,
  kRefusedDatabase
};

struct Entry {
  size_t index = 0;
  std::string_view id;
  EntryStatus status = EntryStatus::kStored;
  const ingest::RecordError* invalid = nullptr;  // kRefusedInvalid
  std::string_view db_message;                   // kRefusedDatabase
};

// Calls fn(const Entry&) once per request position, in request order: errors and groups of
// submitted records with the same index are merged by index.
template <typename Fn>
void ForEachEntry(const PendingIngest& p, const std::vector<sink::RecordResult>* results,
                  Fn&& fn) {
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  const size_t n = p.indexes.size();
  size_t r = 0;
  size_t e = 0;
  while (r < n || e < p.errors.size()) {
    const size_t record_index = r < n ? p.indexes[r] : kNone;
    const size_t error_index = e < p.errors.size() ? p.errors[e].index : kNone;
    if (error_index <= record_index) {
      const ingest::RecordError& error = p.errors[e++];
      fn(Entry{error.index, error.id, EntryStatus::kRefusedInvalid, &error, {}});
      while (r < n && p.indexes[r] == error_index) {
        ++r;  // a refused document refuses its records too (the decoder never splits one)
      }
      continue;
    }
    const size_t begin = r;
    while (r < n && p.indexes[r] == record_index) {
      ++r;
    }
    Entry entry;
    entry.index = record_index;
    if (begin < p.ids.size()) {
      entry.id = p.ids[begin];
    }
    if (results == nullptr) {
      entry.status = EntryStatus::kQueued;
    } else {
      bool all_duplicates = true;
      bool spooled = false;
      entry.status = EntryStatus::kStored;
      for (size_t k = begin; k < r; ++k) {
        const sink::RecordResult& result = (*results)[k];
        if (result.outcome == sink::RecordOutcome::kRefused) {
          entry.status = EntryStatus::kRefusedDatabase;
          entry.db_message = result.message;
          break;
        }
        spooled = spooled || result.outcome == sink::RecordOutcome::kSpooled;
        const bool replayed = p.derived_keys && k < p.ids.size() && p.ids[k].empty();
        all_duplicates =
            all_duplicates && result.outcome == sink::RecordOutcome::kDuplicate && !replayed;
      }
      if (entry.status != EntryStatus::kRefusedDatabase) {
        if (spooled) {
          entry.status = EntryStatus::kSpooled;  // a batch is spooled whole
        } else if (all_duplicates) {
          entry.status = EntryStatus::kDuplicate;
        }
      }
    }
    fn(entry);
  }
}

std::string_view StatusName(EntryStatus status) {
  switch (status) {
    case EntryStatus::kStored: return "stored";
    case EntryStatus::kDuplicate: return "duplicate";
    case EntryStatus::kSpooled: return "spooled";
    case EntryStatus::kQueued: return "queued";
    case EntryStatus::kRefusedInvalid:
    case EntryStatus::kRefusedDatabase: return "refused";
  }
  return "refused";
}

void AppendEntry(std::string* out, const Entry& entry) {
  fmt::format_to(std::back_inserter(*out), "{{\"index\":{}", entry.index);
  if (!entry.id.empty()) {
    out->append(",\"id\":");
    AppendJsonString(*out, entry.id);
  }
  out->append(",\"status\":\"");
  out->append(StatusName(entry.status));
  out->push_back('"');
  if (entry.status == EntryStatus::kRefusedInvalid) {
    out->append(",\"code\":\"invalid_record\"");
    if (!entry.invalid->field.empty()) {
      out->append(",\"field\":");
      AppendJsonString(*out, entry.invalid->field);
    }
    out->append(",\"error\":");
    AppendJsonString(*out, entry.invalid->message);
  } else if (entry.status == EntryStatus::kRefusedDatabase) {
    out->append(",\"code\":\"database_refused\",\"error\":");
    AppendJsonString(*out, entry.db_message);
  }
  out->push_back('}');
}

bool IsRefused(EntryStatus status) {
  return status == EntryStatus::kRefusedInvalid || status == EntryStatus::kRefusedDatabase;
}

// The results list, cut as ingest_results.h says.
void AppendResults(std::string* out, const PendingIngest& pending,
                   const std::vector<sink::RecordResult>* results) {
  out->append("\"results\":[");
  const size_t start = out->size();
  size_t refused_listed = 0;
  size_t omitted = pending.errors_dropped;
  bool cut = false;
  ForEachEntry(pending, results, [&](const Entry& entry) {
    if (cut) {
      ++omitted;
      return;
    }
    const size_t mark = out->size();
    if (mark != start) {
      out->push_back(',');
    }
    AppendEntry(out, entry);
    if (out->size() - start > kMaxResultsBytes) {
      out->resize(mark);
      cut = true;
      ++omitted;
      return;
    }
    cut = IsRefused(entry.status) && ++refused_listed == kMaxRefusedListed;
  });
  out->push_back(']');
  if (omitted != 0) {
    fmt::format_to(std::back_inserter(*out), ",\"results_truncated\":true,\"results_omitted\":{}",
                   omitted);
  }
}

}  // namespace

void BuildIngestResponse(const PendingIngest& pending,
                         const std::vector<sink::RecordResult>* results, Response* out) {
  size_t accepted = 0;
  size_t refused = pending.errors_dropped;
  size_t stored = 0;
  size_t duplicates = 0;
  size_t spooled = 0;
  ForEachEntry(pending, results, [&](const Entry& entry) {
    switch (entry.status) {
      case EntryStatus::kStored: ++accepted; ++stored; break;
      case EntryStatus::kDuplicate: ++accepted; ++duplicates; break;
      case EntryStatus::kSpooled: ++accepted; ++spooled; break;
      case EntryStatus::kQueued: ++accepted; break;
      case EntryStatus::kRefusedInvalid:
      case EntryStatus::kRefusedDatabase: ++refused; break;
    }
  });

  const bool durable = results != nullptr;
  out->content_type = kJsonContentType;
  out->body.clear();
  auto it = std::back_inserter(out->body);
  if (refused == 0) {
    out->status = durable ? 200 : 202;
  } else {
    out->status = 207;
  }
  const std::string_view status = refused > 0 ? "partial" : (durable ? "ok" : "queued");
  fmt::format_to(it, "{{\"status\":\"{}\",\"ack\":\"{}\",\"total\":{},\"accepted\":{},",
                 status, durable ? "durable" : "queued", accepted + refused, accepted);
  if (durable) {
    fmt::format_to(it, "\"stored\":{},\"duplicates\":{},\"spooled\":{},", stored, duplicates,
                   spooled);
  } else {
    fmt::format_to(it, "\"queued\":{},", accepted);
  }
  fmt::format_to(it, "\"refused\":{}", refused);
  if (refused > 0) {
    out->body.push_back(',');
    AppendResults(&out->body, pending, results);
  }
  out->body.push_back('}');
}

}  // namespace tc::http
