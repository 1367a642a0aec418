#include "hrana_encoder.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <type_traits>
#include <variant>

#include "common/json_writer.h"
#include "hrana_float.h"

namespace tc::sink::hrana {

void AppendValue(const storage::SqlValue& value, std::string* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          *out += R"({"type":"null"})";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          fmt::format_to(std::back_inserter(*out), R"({{"type":"integer","value":"{}"}})", v);
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            *out += R"({"type":"float","value":)";
            AppendExactFloat(v, out);
            *out += '}';
          } else {
            *out += R"({"type":"null"})";
          }
        } else {
          *out += R"({"type":"text","value":)";
          AppendJsonString(*out, v);
          *out += '}';
        }
      },
      value);
}

std::string QuoteSql(std::string_view sql) {
  std::string out;
  AppendJsonString(out, sql);
  return out;
}

namespace {
void AppendUint(uint32_t value, std::string* out) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, static_cast<size_t>(end - digits));
}
}  // namespace

void AppendCondOk(uint32_t step, std::string* out) {
  *out += R"({"type":"ok","step":)";
  AppendUint(step, out);
  *out += '}';
}

void AppendCondNotError(uint32_t step, std::string* out) {
  *out += R"({"type":"not","cond":{"type":"error","step":)";
  AppendUint(step, out);
  *out += "}}";
}

Cond Cond::Ok(uint32_t step) { return Cond(fmt::format(R"({{"type":"ok","step":{}}})", step)); }

Cond Cond::Error(uint32_t step) {
  return Cond(fmt::format(R"({{"type":"error","step":{}}})", step));
}

Cond Cond::IsAutocommit() { return Cond(R"({"type":"is_autocommit"})"); }

Cond Cond::Not(const Cond& cond) {
  return Cond(fmt::format(R"({{"type":"not","cond":{}}})", cond.json()));
}

namespace {
std::string Combine(std::string_view type, std::span<const Cond> conds) {
  std::string out = fmt::format(R"({{"type":"{}","conds":[)", type);
  for (size_t i = 0; i < conds.size(); ++i) {
    if (i != 0) {
      out += ',';
    }
    out += conds[i].json();
  }
  out += "]}";
  return out;
}
}  // namespace

Cond Cond::And(std::span<const Cond> conds) { return Cond(Combine("and", conds)); }
Cond Cond::Or(std::span<const Cond> conds) { return Cond(Combine("or", conds)); }

PipelineBuilder::PipelineBuilder() { body_ = R"({"baton":null,"requests":[)"; }

void PipelineBuilder::BeginRequest() {
  if (!first_request_) {
    body_ += ',';
  }
  first_request_ = false;
}

void PipelineBuilder::AppendStmt(std::string_view sql, std::span<const storage::SqlValue> args,
                                 bool want_rows) {
  std::string quoted;
  AppendJsonString(quoted, sql);
  AppendQuotedStmt(quoted, args, want_rows);
}

void PipelineBuilder::AppendQuotedStmt(std::string_view sql_json,
                                       std::span<const storage::SqlValue> args, bool want_rows) {
  body_ += R"({"sql":)";
  body_ += sql_json;
  if (!args.empty()) {
    body_ += R"(,"args":[)";
    for (size_t i = 0; i < args.size(); ++i) {
      if (i != 0) {
        body_ += ',';
      }
      AppendValue(args[i], &body_);
    }
    body_ += ']';
  }
  if (!want_rows) {
    body_ += R"(,"want_rows":false)";
  }
  body_ += '}';
}

void PipelineBuilder::AddExecute(std::string_view sql, std::span<const storage::SqlValue> args,
                                 bool want_rows) {
  BeginRequest();
  body_ += R"({"type":"execute","stmt":)";
  AppendStmt(sql, args, want_rows);
  body_ += '}';
}

void PipelineBuilder::BeginBatch() {
  BeginRequest();
  body_ += R"({"type":"batch","batch":{"steps":[)";
  first_step_ = true;
  steps_ = 0;
}

uint32_t PipelineBuilder::AddStep(std::string_view sql, std::span<const storage::SqlValue> args,
                                  const Cond* cond) {
  std::string quoted;
  AppendJsonString(quoted, sql);
  return AddQuotedStep(quoted, args, cond != nullptr ? std::string_view(cond->json()) : "");
}

uint32_t PipelineBuilder::AddQuotedStep(std::string_view sql_json,
                                        std::span<const storage::SqlValue> args,
                                        std::string_view cond_json) {
  if (!first_step_) {
    body_ += ',';
  }
  first_step_ = false;
  body_ += '{';
  if (!cond_json.empty()) {
    body_ += R"("condition":)";
    body_ += cond_json;
    body_ += ',';
  }
  body_ += R"("stmt":)";
  AppendQuotedStmt(sql_json, args, /*want_rows=*/false);
  body_ += '}';
  return steps_++;
}

void PipelineBuilder::EndBatch() { body_ += "]}}"; }

void PipelineBuilder::AddClose() {
  BeginRequest();
  body_ += R"({"type":"close"})";
}

void PipelineBuilder::Rewind(const Mark& mark) {
  body_.resize(mark.bytes);
  steps_ = mark.steps;
  first_step_ = mark.first;
}

void PipelineBuilder::Reuse(std::string buffer) {
  body_ = std::move(buffer);
  body_.assign(R"({"baton":null,"requests":[)");
  first_request_ = true;
  first_step_ = true;
  steps_ = 0;
}

std::string PipelineBuilder::Finish() {
  body_ += "]}";
  std::string out = std::move(body_);
  body_ = R"({"baton":null,"requests":[)";
  first_request_ = true;
  first_step_ = true;
  steps_ = 0;
  return out;
}

}  // namespace tc::sink::hrana
