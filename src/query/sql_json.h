#pragma once

// Small helpers shared by the read API's renderers: typed column values (storage::SqlValue) as
// JSON. Internal to src/query/.

#include <cstdint>
#include <optional>

#include "common/json_writer.h"
#include "storage/sql_value.h"

namespace tc::query {

using storage::SqlValue;

bool IsNull(const SqlValue& v);
std::optional<int64_t> AsInt(const SqlValue& v);
std::optional<double> AsDouble(const SqlValue& v);
// A value as stored: NULL, integer, real or string.
void Value(JsonWriter& json, const SqlValue& v);
// A column holding compact JSON text (what ingest stores): written as JSON, not as a string.
void JsonColumn(JsonWriter& json, const SqlValue& v);
// A column that is text whatever ingest received (annotation: a JSON value is kept as its
// text): written as a string, so posting it again stores the same text.
void TextColumn(JsonWriter& json, const SqlValue& v);
// 0/1 as false/true; NULL as null.
void BoolColumn(JsonWriter& json, const SqlValue& v);

// A sum of cents (events.cost_usd, session_traces.tc_cost_cents) in dollars, rounded to
// nano-dollars so float noise does not show as 0.040220000000000006.
double SummedDollars(double cents);

}  // namespace tc::query
