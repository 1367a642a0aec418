#pragma once

// Reads values out of a JSON response body in tests by JSON pointer ("/results/0/status").

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tc::testing {

class JsonProbe {
 public:
  explicit JsonProbe(const std::string& body) {
    valid_ = !parser_.parse(body).get(root_);
  }
  bool valid() const { return valid_; }
  std::optional<std::string> Str(const char* pointer) {
    std::string_view v;
    if (!valid_ || root_.at_pointer(pointer).get(v)) return std::nullopt;
    return std::string(v);
  }
  std::optional<int64_t> Int(const char* pointer) {
    int64_t v;
    if (!valid_ || root_.at_pointer(pointer).get(v)) return std::nullopt;
    return v;
  }
  std::optional<double> Dbl(const char* pointer) {
    double v;
    if (!valid_ || root_.at_pointer(pointer).get(v)) return std::nullopt;
    return v;
  }
  std::optional<bool> Bool(const char* pointer) {
    bool v;
    if (!valid_ || root_.at_pointer(pointer).get(v)) return std::nullopt;
    return v;
  }
  // The value at `pointer` as compact JSON ("null", "{\"a\":1}"); nullopt when absent.
  std::optional<std::string> Json(const char* pointer) {
    simdjson::dom::element e;
    if (!valid_ || root_.at_pointer(pointer).get(e)) return std::nullopt;
    return simdjson::minify(e);
  }
  bool Has(const char* pointer) { return Json(pointer).has_value(); }
  size_t ArraySize(const char* pointer) {
    simdjson::dom::array a;
    if (!valid_ || root_.at_pointer(pointer).get(a)) return 0;
    return a.size();
  }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

}  // namespace tc::testing
