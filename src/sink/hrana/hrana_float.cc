#include "hrana_float.h"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace tc::sink::hrana {
namespace {

std::atomic<uint64_t> g_inexact{0};

// serde_json's POW10 table: the correctly rounded doubles 1e0 .. 1e308.
const std::array<double, 309>& Pow10() {
  static const std::array<double, 309> table = [] {
    std::array<double, 309> t{};
    for (size_t k = 0; k < t.size(); ++k) {
      const std::string text = "1e" + std::to_string(k);
      t[k] = std::strtod(text.c_str(), nullptr);
    }
    return t;
  }();
  return table;
}

bool Overflows(uint64_t significand, uint64_t digit) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  return significand >= kMax / 10 && (significand > kMax / 10 || digit > kMax % 10);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// serde_json's f64_from_parts (without float_roundtrip).
std::optional<double> FromParts(uint64_t significand, int64_t exponent) {
  double f = static_cast<double>(significand);
  const auto& pow10 = Pow10();
  while (true) {
    const uint64_t magnitude = static_cast<uint64_t>(exponent < 0 ? -exponent : exponent);
    if (magnitude < pow10.size()) {
      if (exponent >= 0) {
        f *= pow10[magnitude];
        if (std::isinf(f)) {
          return std::nullopt;
        }
      } else {
        f /= pow10[magnitude];
      }
      return f;
    }
    if (f == 0.0) {
      return f;
    }
    if (exponent >= 0) {
      return std::nullopt;
    }
    f /= 1e308;
    exponent += 308;
  }
}

// How far serde_json's reading of `text` is from `value`; infinity when a correctly rounding
// parser does not read `value` back exactly (such a text is never used).
double SerdeError(const std::string& text, double value) {
  constexpr double kUnusable = std::numeric_limits<double>::infinity();
  double parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || parsed != value) {
    return kUnusable;
  }
  std::optional<double> serde = SerdeJsonDefaultParse(text);
  if (!serde.has_value() || std::signbit(*serde) != std::signbit(value)) {
    return kUnusable;
  }
  return std::fabs(*serde - value);
}

}  // namespace

std::optional<double> SerdeJsonDefaultParse(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }
  if (i >= n || !IsDigit(text[i])) {
    return std::nullopt;
  }
  uint64_t significand = 0;
  int64_t exponent = 0;
  bool is_float = false;
  // Integer part: digits past u64 only raise the exponent.
  bool long_integer = false;
  if (text[i] == '0') {
    ++i;
    if (i < n && IsDigit(text[i])) {
      return std::nullopt;
    }
  } else {
    while (i < n && IsDigit(text[i])) {
      const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
      if (long_integer || Overflows(significand, digit)) {
        long_integer = true;
        is_float = true;
        ++exponent;
      } else {
        significand = significand * 10 + digit;
      }
      ++i;
    }
  }
  if (i < n && text[i] == '.') {
    is_float = true;
    ++i;
    bool any = false;
    bool ignore = false;
    while (i < n && IsDigit(text[i])) {
      const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
      if (ignore || Overflows(significand, digit)) {
        ignore = true;  // parse_decimal_overflow: the rest is dropped
      } else {
        significand = significand * 10 + digit;
        --exponent;
      }
      any = true;
      ++i;
    }
    if (!any) {
      return std::nullopt;
    }
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    is_float = true;
    ++i;
    bool positive_exp = true;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      positive_exp = text[i] == '+';
      ++i;
    }
    if (i >= n || !IsDigit(text[i])) {
      return std::nullopt;
    }
    int64_t exp = 0;
    while (i < n && IsDigit(text[i])) {
      exp = exp * 10 + (text[i] - '0');
      if (exp > std::numeric_limits<int32_t>::max()) {
        if (significand != 0 && positive_exp) {
          return std::nullopt;
        }
        return negative ? -0.0 : 0.0;
      }
      ++i;
    }
    exponent = positive_exp ? exponent + exp : exponent - exp;
  }
  if (i != n) {
    return std::nullopt;
  }
  if (!is_float) {
    const double f = static_cast<double>(significand);
    return negative ? -f : f;
  }
  std::optional<double> f = FromParts(significand, exponent);
  if (!f) {
    return std::nullopt;
  }
  return negative ? -*f : *f;
}

void AppendExactFloat(double value, std::string* out) {
  std::string best = fmt::format("{}", value);  // always read back exactly by strtod
  double best_error = SerdeError(best, value);
  if (best_error == 0) {
    *out += best;
    return;
  }
  // value = m / 10^k with m an integer the double format holds exactly (>= 2^53, < 2^64): m is
  // then exact for both parsers and a single correctly rounded division remains.
  const double magnitude = std::fabs(value);
  const int decade = static_cast<int>(std::floor(std::log10(magnitude)));
  const char* sign = value < 0 ? "-" : "";
  const auto& pow10 = Pow10();
  for (int k = 15 - decade; k <= 19 - decade; ++k) {
    double m = 0;
    if (k >= 0 && static_cast<size_t>(k) < pow10.size()) {
      m = magnitude * pow10[static_cast<size_t>(k)];
    } else if (k >= 0 && static_cast<size_t>(k - 308) < pow10.size()) {
      m = magnitude * pow10[308] * pow10[static_cast<size_t>(k - 308)];  // subnormal range
    } else if (k < 0 && static_cast<size_t>(-k) < pow10.size()) {
      m = magnitude / pow10[static_cast<size_t>(-k)];
    } else {
      continue;
    }
    m = std::nearbyint(m);
    for (int step = 0; step < 9; ++step) {
      // m, then its neighbours alternately above and below.
      double candidate = m;
      for (int s = 0; s < (step + 1) / 2; ++s) {
        candidate = std::nextafter(candidate, step % 2 == 1 ? 1e300 : 0.0);
      }
      if (candidate < 1 || candidate >= 1.8e19 || candidate != std::nearbyint(candidate)) {
        continue;
      }
      std::string text = fmt::format("{}{:.0f}e{}", sign, candidate, -k);
      const double error = SerdeError(text, value);
      if (error == 0) {
        *out += text;
        return;
      }
      if (error < best_error) {
        best = std::move(text);
        best_error = error;
      }
    }
  }
  // No text reads back exactly with serde_json's default parser: the nearest one.
  g_inexact.fetch_add(1, std::memory_order_relaxed);
  *out += best;
}

uint64_t InexactFloatCount() { return g_inexact.load(std::memory_order_relaxed); }

}  // namespace tc::sink::hrana
