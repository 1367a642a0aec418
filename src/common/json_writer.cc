#include "common/json_writer.h"

#include <cmath>

#include <fmt/format.h>

namespace tc {

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  // Runs of characters that need no escape are appended whole.
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  if (!first_) out_ += ',';
  AppendJsonString(out_, key);
  out_ += ':';
  first_ = true;  // the value that follows needs no comma
  return *this;
}

JsonWriter& JsonWriter::Element() {
  if (!first_) out_ += ',';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  AppendJsonString(out_, value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  fmt::format_to(std::back_inserter(out_), "{}", value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  fmt::format_to(std::back_inserter(out_), "{}", value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  fmt::format_to(std::back_inserter(out_), "{}", value);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  out_ += value ? "true" : "false";
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Null() {
  out_ += "null";
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  out_ += json;
  first_ = false;
  return *this;
}

}  // namespace tc
