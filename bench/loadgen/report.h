#pragma once

// Figures and tables: latency percentiles (from all samples, sorted: exact, no histogram
// buckets), error summaries, the machine description, and the markdown tables the benchmark
// prints (pasted as is into docs/performance.md).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tc::bench {

// q in [0, 1] of the samples (sorted in place); 0 when there are none.
double Percentile(std::vector<double>* samples, double q);

// "429:12 read:3", or "0".
std::string FormatErrors(const std::map<std::string, uint64_t>& errors);

// "2 cores, AMD EPYC ..., load 1.23 0.98 0.50".
std::string MachineLine();

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  // Replaces one cell of a row already added (a figure known only later); out of range: no-op.
  void Set(size_t row, size_t column, std::string cell) {
    if (row < rows_.size() && column < rows_[row].size()) {
      rows_[row][column] = std::move(cell);
    }
  }
  // A markdown table with padded columns.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace tc::bench
