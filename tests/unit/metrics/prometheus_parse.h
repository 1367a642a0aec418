#pragma once

// A strict reader of the Prometheus text format 0.0.4 for tests: every line must be a
// `# HELP name text`, `# TYPE name type` or a sample `name{l="v",...} value`; label values are
// unescaped (\\, \", \n). Parse() returns false (with `error`) on anything else, on a sample
// whose family has no TYPE before it, or on a second TYPE for one family.

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tc::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromText {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram
  std::map<std::string, std::string> helps;
  std::vector<PromSample> samples;
  std::string error;

  // The value of the one sample with this name and exactly these labels.
  std::optional<double> Get(const std::string& name,
                            const std::map<std::string, std::string>& labels = {}) const {
    for (const PromSample& s : samples) {
      if (s.name == name && s.labels == labels) {
        return s.value;
      }
    }
    return std::nullopt;
  }

  bool Parse(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (!ParseLine(line)) {
        error += " in line: " + line;
        return false;
      }
    }
    return true;
  }

 private:
  static bool NameChar(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
  }
  static std::string Family(const std::string& name, const std::string& type) {
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
          return name.substr(0, name.size() - s.size());
        }
      }
    }
    return name;
  }

  bool ParseLine(const std::string& line) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const bool is_type = line[2] == 'T';
      const size_t space = line.find(' ', 7);
      if (space == std::string::npos) {
        error = "comment without text";
        return false;
      }
      const std::string name = line.substr(7, space - 7);
      const std::string rest = line.substr(space + 1);
      if (is_type) {
        if (types.count(name) != 0) {
          error = "second TYPE for " + name;
          return false;
        }
        if (rest != "counter" && rest != "gauge" && rest != "histogram") {
          error = "bad type " + rest;
          return false;
        }
        types[name] = rest;
      } else {
        helps[name] = rest;
      }
      return true;
    }
    PromSample sample;
    size_t i = 0;
    while (i < line.size() && NameChar(line[i], i == 0)) {
      ++i;
    }
    sample.name = line.substr(0, i);
    if (sample.name.empty()) {
      error = "no metric name";
      return false;
    }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const size_t eq = line.find("=\"", i);
        if (eq == std::string::npos) {
          error = "bad label";
          return false;
        }
        const std::string key = line.substr(i, eq - i);
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            ++j;
            value += line[j] == 'n' ? '\n' : line[j];
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) {
          error = "unterminated label value";
          return false;
        }
        sample.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') {
          ++i;
        }
      }
      if (i >= line.size()) {
        error = "unterminated labels";
        return false;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      error = "no value";
      return false;
    }
    const std::string value = line.substr(i + 1);
    char* end = nullptr;
    sample.value = value == "+Inf" ? 1e308 * 10 : std::strtod(value.c_str(), &end);
    if (value != "+Inf" && (end == nullptr || *end != '\0' || value.empty())) {
      error = "bad value";
      return false;
    }
    bool typed = false;
    for (const auto& [family, type] : types) {
      if (Family(sample.name, type) == family) {
        typed = true;
      }
    }
    if (!typed) {
      error = "sample before its TYPE";
      return false;
    }
    samples.push_back(std::move(sample));
    return true;
  }
};

}  // namespace tc::testing
