#pragma once

// Builds Hrana pipeline request bodies (JSON, docs/sqld.md): {"baton":null,"requests":[...]}.
// Values follow the Hrana spec: integers as decimal strings ({"type":"integer","value":"42"}),
// floats as JSON numbers (non-finite floats become null), text, null. Positional args only
// (tursodb ignores named args). Plain value types, not thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sql_value.h"

namespace tc::sink::hrana {

// Appends one Hrana Value object.
void AppendValue(const storage::SqlValue& value, std::string* out);

// `sql` as a JSON string literal, for AddQuotedStep.
std::string QuoteSql(std::string_view sql);

// Condition texts appended to `out` without temporaries (the Cond class composes them).
void AppendCondOk(uint32_t step, std::string* out);
void AppendCondNotError(uint32_t step, std::string* out);

// A batch-step condition, as JSON text. Conditions may only name earlier steps.
class Cond {
 public:
  static Cond Ok(uint32_t step);
  static Cond Error(uint32_t step);
  static Cond IsAutocommit();
  static Cond Not(const Cond& cond);
  // And/Or of no conditions is true/false (Hrana semantics).
  static Cond And(std::span<const Cond> conds);
  static Cond Or(std::span<const Cond> conds);
  const std::string& json() const { return json_; }

 private:
  explicit Cond(std::string json) : json_(std::move(json)) {}
  std::string json_;
};

class PipelineBuilder {
 public:
  PipelineBuilder();

  // {"type":"execute","stmt":{...}}: one statement outside any batch.
  void AddExecute(std::string_view sql, std::span<const storage::SqlValue> args = {},
                  bool want_rows = true);

  // {"type":"batch",...}: steps are added between BeginBatch and EndBatch. AddStep returns the
  // step's index within the batch. Steps ask for no rows (want_rows false).
  void BeginBatch();
  uint32_t AddStep(std::string_view sql, std::span<const storage::SqlValue> args = {},
                   const Cond* cond = nullptr);
  // Same, with the SQL already a JSON string literal (quotes included; see QuoteSql) and the
  // condition as JSON text (empty = none): the hot path, nothing re-escaped or allocated.
  uint32_t AddQuotedStep(std::string_view sql_json, std::span<const storage::SqlValue> args,
                         std::string_view cond_json);
  void EndBatch();

  // {"type":"close"}: ends the stream (sqld). Never for tursodb (whole pipeline fails, HTTP 500).
  void AddClose();

  // Rewinding to a mark drops the steps added after it (used to cut a batch at a size limit).
  struct Mark {
    size_t bytes = 0;
    uint32_t steps = 0;
    bool first = true;
  };
  Mark mark() const { return {body_.size(), steps_, first_step_}; }
  void Rewind(const Mark& mark);

  void Reserve(size_t bytes) { body_.reserve(bytes); }
  // Starts over (as if new) in `buffer`'s storage: a caller encoding request after request
  // hands the previous body back so its capacity is reused. `buffer`'s contents are dropped.
  void Reuse(std::string buffer);
  size_t bytes() const { return body_.size(); }
  uint32_t steps() const { return steps_; }
  // The finished body; the builder is empty afterwards.
  std::string Finish();

 private:
  void AppendStmt(std::string_view sql, std::span<const storage::SqlValue> args, bool want_rows);
  void AppendQuotedStmt(std::string_view sql_json, std::span<const storage::SqlValue> args,
                        bool want_rows);
  void BeginRequest();

  std::string body_;
  bool first_request_ = true;
  bool first_step_ = true;
  uint32_t steps_ = 0;
};

}  // namespace tc::sink::hrana
