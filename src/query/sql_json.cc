// JSON for typed column values (sql_json.h).

#include "sql_json.h"

#include <cmath>
#include <string>
#include <variant>

#include "query/session_trace.h"

namespace tc::query {

bool IsNull(const SqlValue& v) { return std::holds_alternative<std::monostate>(v); }

std::optional<int64_t> AsInt(const SqlValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return std::nullopt;
}

std::optional<double> AsDouble(const SqlValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}

void Value(JsonWriter& json, const SqlValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    json.Int(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    json.Double(*d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    json.String(*s);
  } else {
    json.Null();
  }
}

void JsonColumn(JsonWriter& json, const SqlValue& v) {
  if (const auto* s = std::get_if<std::string>(&v); s != nullptr && !s->empty()) {
    json.Raw(*s);
  } else {
    Value(json, IsNull(v) ? SqlValue{} : v);
  }
}

void TextColumn(JsonWriter& json, const SqlValue& v) {
  if (IsNull(v)) {
    json.Null();
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    json.String(*s);
  } else {
    JsonWriter text;
    Value(text, v);
    json.String(text.str());
  }
}

void BoolColumn(JsonWriter& json, const SqlValue& v) {
  if (std::optional<int64_t> i = AsInt(v)) {
    json.Bool(*i != 0);
  } else {
    json.Null();
  }
}

double SummedDollars(double cents) { return std::round(cents * 1e7) / 1e9; }

double CentsToDollars(double cents) {
  const double guess = cents / 100.0;
  if (!std::isfinite(guess) || guess * 100.0 == cents) return guess;
  double below = guess, above = guess;
  for (int i = 0; i < 4; ++i) {
    below = std::nextafter(below, -INFINITY);
    above = std::nextafter(above, INFINITY);
    if (below * 100.0 == cents) return below;
    if (above * 100.0 == cents) return above;
  }
  return guess;
}

}  // namespace tc::query
