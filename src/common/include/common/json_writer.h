#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tc {

// Appends JSON to a string without a DOM. The caller keeps the structure valid
// (keys inside objects, commas through Comma() or the helpers that take `first`).
class JsonWriter {
 public:
  JsonWriter& BeginObject() { out_ += '{'; first_ = true; return *this; }
  JsonWriter& EndObject() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& BeginArray() { out_ += '['; first_ = true; return *this; }
  JsonWriter& EndArray() { out_ += ']'; first_ = false; return *this; }
  // Starts `"key":` (with a leading comma when needed).
  JsonWriter& Key(std::string_view key);
  // Array element separator.
  JsonWriter& Element();
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);  // non-finite → null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-valid JSON text verbatim.
  JsonWriter& Raw(std::string_view json);

  // Starts a new text, keeping the buffer (a writer reused for many small texts).
  JsonWriter& Clear() {
    out_.clear();
    first_ = true;
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool first_ = true;
};

// Appends `text` as a JSON string literal (quotes included), escaping per RFC 8259.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace tc
