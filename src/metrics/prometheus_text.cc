#include "prometheus_text.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace tc::metrics {

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void TextWriter::Name(std::string_view name, std::string_view suffix) {
  out_ += prefix_;
  out_ += name;
  out_ += suffix;
}

void TextWriter::Labels(std::initializer_list<Label> labels, const Label* extra) {
  if (labels.size() == 0 && extra == nullptr) {
    return;
  }
  out_ += '{';
  bool first = true;
  auto one = [&](const Label& label) {
    if (!first) {
      out_ += ',';
    }
    first = false;
    out_ += label.name;
    out_ += "=\"";
    AppendEscapedLabelValue(out_, label.value);
    out_ += '"';
  };
  for (const Label& label : labels) {
    one(label);
  }
  if (extra != nullptr) {
    one(*extra);
  }
  out_ += '}';
}

void TextWriter::Value(double value) {
  out_ += ' ';
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    fmt::format_to(std::back_inserter(out_), "{:.0f}", value);
  } else {
    fmt::format_to(std::back_inserter(out_), "{}", value);
  }
  out_ += '\n';
}

void TextWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  Name(name, "");
  out_ += ' ';
  AppendEscapedHelp(out_, help);
  out_ += "\n# TYPE ";
  Name(name, "");
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void TextWriter::Sample(std::string_view name, std::initializer_list<Label> labels,
                        double value) {
  Name(name, "");
  Labels(labels, nullptr);
  Value(value);
}

void TextWriter::Counter(std::string_view name, std::string_view help, uint64_t value) {
  Family(name, "counter", help);
  Name(name, "");
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void TextWriter::Gauge(std::string_view name, std::string_view help, int64_t value) {
  Family(name, "gauge", help);
  Name(name, "");
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void TextWriter::HistogramSamples(std::string_view name, std::initializer_list<Label> labels,
                                  const Histogram& histogram) {
  const Histogram::Snapshot snap = histogram.Take();
  const auto bounds = histogram.bounds();
  std::string le;
  for (size_t i = 0; i < bounds.size(); ++i) {
    le = fmt::format("{}", bounds[i]);
    const Label extra{"le", le};
    Name(name, "_bucket");
    Labels(labels, &extra);
    Value(static_cast<double>(snap.cumulative[i]));
  }
  const Label inf{"le", "+Inf"};
  Name(name, "_bucket");
  Labels(labels, &inf);
  Value(static_cast<double>(snap.count));
  Name(name, "_sum");
  Labels(labels, nullptr);
  Value(snap.sum);
  Name(name, "_count");
  Labels(labels, nullptr);
  Value(static_cast<double>(snap.count));
}

}  // namespace tc::metrics
