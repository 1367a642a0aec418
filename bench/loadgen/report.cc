#include "loadgen/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace tc::bench {

double Percentile(std::vector<double>* samples, double q) {
  if (samples->empty()) {
    return 0;
  }
  std::sort(samples->begin(), samples->end());
  const double rank = std::ceil(q * static_cast<double>(samples->size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return (*samples)[std::min(index, samples->size() - 1)];
}

std::string FormatErrors(const std::map<std::string, uint64_t>& errors) {
  std::string out;
  for (const auto& [what, n] : errors) {
    out += fmt::format("{}{}:{}", out.empty() ? "" : " ", what, n);
  }
  return out.empty() ? "0" : out;
}

std::string MachineLine() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        model = line.substr(colon + 2);
      }
      break;
    }
  }
  std::string load;
  std::ifstream loadavg("/proc/loadavg");
  std::getline(loadavg, load);
  load = load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1));
  return fmt::format("{} cores ({}), load average {}", sysconf(_SC_NPROCESSORS_ONLN), model, load);
}

std::string Table::Render() const {
  std::vector<size_t> width(header_.size(), 0);
  auto measure = [&width](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header_);
  for (const auto& row : rows_) {
    measure(row);
  }
  auto line = [&width](const std::vector<std::string>& row) {
    std::string out = "|";
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      out += fmt::format(" {:<{}} |", cell, width[i]);
    }
    return out + "\n";
  };
  std::string out = line(header_);
  out += "|";
  for (size_t w : width) {
    out += std::string(w + 2, '-') + "|";
  }
  out += "\n";
  for (const auto& row : rows_) {
    out += line(row);
  }
  return out;
}

}  // namespace tc::bench
