#pragma once

// Writes the Prometheus text exposition format 0.0.4: `# HELP` / `# TYPE` lines once per
// family, then samples with escaped label values (\\, \", \n), histograms as cumulative
// _bucket{le=...} lines (ending with le="+Inf"), _sum and _count. Not thread-safe: one writer per
// rendering. Every name gets `prefix` in front.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "metrics/histogram.h"

namespace tc::metrics {

struct Label {
  std::string_view name;
  std::string_view value;
};

class TextWriter {
 public:
  explicit TextWriter(std::string_view prefix) : prefix_(prefix) { out_.reserve(16 << 10); }

  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value);
  // Family + one unlabeled sample.
  void Counter(std::string_view name, std::string_view help, uint64_t value);
  void Gauge(std::string_view name, std::string_view help, int64_t value);
  // The samples of one histogram child (Family() must have been written for `name`).
  void HistogramSamples(std::string_view name, std::initializer_list<Label> labels,
                        const Histogram& histogram);

  std::string Take() { return std::move(out_); }

 private:
  void Name(std::string_view name, std::string_view suffix);
  void Labels(std::initializer_list<Label> labels, const Label* extra);
  void Value(double value);

  std::string_view prefix_;
  std::string out_;
};

// Escaping rules of the format, exposed for tests.
void AppendEscapedLabelValue(std::string& out, std::string_view value);
void AppendEscapedHelp(std::string& out, std::string_view help);

}  // namespace tc::metrics
