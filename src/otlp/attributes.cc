// Attribute values (mapping.h): typed access and JSON text.

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "common/json_writer.h"
#include "mapping.h"

namespace tc::otlp {

namespace {

void Base64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s : {18, 12, 6, 0}) out->push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

}  // namespace

void WriteValue(JsonWriter& json, const AnyValue& value) {
  switch (value.kind) {
    case AnyValue::Kind::kEmpty:
      json.Null();
      break;
    case AnyValue::Kind::kString:
      json.String(value.text);
      break;
    case AnyValue::Kind::kBool:
      json.Bool(value.boolean);
      break;
    case AnyValue::Kind::kInt:
      json.Int(value.integer);
      break;
    case AnyValue::Kind::kDouble:
      json.Double(value.number);
      break;
    case AnyValue::Kind::kBytes: {
      std::string b64;
      Base64(value.text, &b64);
      json.String(b64);
      break;
    }
    case AnyValue::Kind::kArray:
      json.BeginArray();
      for (const AnyValue& v : value.array) {
        json.Element();
        WriteValue(json, v);
      }
      json.EndArray();
      break;
    case AnyValue::Kind::kKvList:
      json.BeginObject();
      for (const KeyValue& kv : value.kvlist) {
        json.Key(kv.key);
        WriteValue(json, kv.value);
      }
      json.EndObject();
      break;
  }
}

const AnyValue* Find(const std::vector<KeyValue>& attributes, std::string_view key) {
  // The last one wins, as in a map built from the list.
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

std::optional<std::string_view> AsText(const AnyValue* value) {
  if (value == nullptr || value->kind != AnyValue::Kind::kString) return std::nullopt;
  return std::string_view(value->text);
}

std::optional<std::string> AsString(const AnyValue* value) {
  if (value == nullptr || value->kind != AnyValue::Kind::kString) return std::nullopt;
  return value->text;
}

std::optional<double> AsDouble(const AnyValue* value) {
  if (value == nullptr) return std::nullopt;
  switch (value->kind) {
    case AnyValue::Kind::kInt:
      return static_cast<double>(value->integer);
    case AnyValue::Kind::kDouble:
      if (std::isfinite(value->number)) return value->number;
      return std::nullopt;
    case AnyValue::Kind::kString: {
      const std::string& t = value->text;
      if (t.empty() || t.size() > 64) return std::nullopt;
      char* end = nullptr;
      const double d = std::strtod(t.c_str(), &end);
      if (end != t.c_str() + t.size() || !std::isfinite(d)) return std::nullopt;
      return d;
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> AsInt(const AnyValue* value) {
  if (value != nullptr && value->kind == AnyValue::Kind::kInt) return value->integer;
  const std::optional<double> d = AsDouble(value);
  // Integral values only, within what a double holds exactly (JS sends 1.0 as intValue 1 and
  // some SDKs send token counts as doubles).
  if (!d || std::floor(*d) != *d || std::fabs(*d) > 9.007199254740992e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::optional<std::string> IsoFromUnixNanos(uint64_t unix_nanos) {
  if (unix_nanos == 0) return std::nullopt;
  // The rounding of IsoUtcFromUnixSeconds(nanos / 1e9), to the microsecond.
  const long long micros = std::llround(static_cast<double>(unix_nanos) / 1e9 * 1e6);
  const long long secs = micros / 1000000;
  const long long frac = micros % 1000000;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{secs / 86400}}};
  const long long day_secs = secs % 86400;
  std::string out = "0000-00-00T00:00:00.000000+00:00";
  auto put = [&out](size_t at, long long value, size_t width) {
    for (size_t i = width; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<int>(date.year()), 4);
  put(5, static_cast<unsigned>(date.month()), 2);
  put(8, static_cast<unsigned>(date.day()), 2);
  put(11, day_secs / 3600, 2);
  put(14, day_secs / 60 % 60, 2);
  put(17, day_secs % 60, 2);
  put(20, frac, 6);
  return out;
}

std::string ToJson(const AnyValue& value) {
  JsonWriter json;
  WriteValue(json, value);
  return json.Take();
}

}  // namespace tc::otlp
