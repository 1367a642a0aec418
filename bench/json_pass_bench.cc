// Issue 17: is a request body read once or twice? Today every body (every NDJSON line) goes
// through CheckJson (src/ingest/json_check.h, an RFC 8259 checker) and then simdjson on-demand
// decoding. This program measures the alternatives as validators, against today's path:
//   A  CheckJson alone (what the decoder runs first)
//   B  simdjson DOM parse of the whole body (full validation, UTF-8 included), max_depth 64
//   C  simdjson on-demand, every value consumed (a validating walk), nesting ≤ 64
//   D  today's decode: ingest::DecodeRecords / DecodeTraces (CheckJson included)
// and checks A, B and C as validators on the fuzz seed corpus, hand-made invalid inputs and
// mutants of the valid inputs, against the fuzzers' independent checker (tests/fuzz/json_grammar.h).
//
//   build/bench/json_pass_bench [--rounds N] [--ms M] [--mutants N] [--seed S]
//                               [--speed-only | --check-only] [--verbose]
// Figures: the median over rounds of each method's thread CPU ns per body; ratios are medians
// of the per-round ratios (methods alternate their order each round; the machine is noisy: read the
// ratios, not the absolute figures). docs/performance.md "JSON: one validating pass?".

#include <simdjson.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/body_scan.h"
#include "ingest/decoder.h"
#include "ingest/json_check.h"
#include "json_grammar.h"

namespace {

namespace od = simdjson::ondemand;
using tc::ingest::BodyFormat;
using tc::ingest::IngestLimits;

constexpr size_t kMaxDepth = 64;  // IngestLimits::max_depth's default

// ---- bodies (the shapes of bench/loadgen/workloads.cc, connection 0) ----

constexpr std::string_view kCallRecord =
    R"({"call_id":"c0","api_type":"chat_completions","provider":"openai",)"
    R"("model_name":"gpt-4o-mini","schema_version":"1.0",)"
    R"("started_at":"2025-03-04T10:15:01.120000+00:00",)"
    R"("completed_at":"2025-03-04T10:15:01.940000+00:00","latency_ms":820,)"
    R"("request_params":{"temperature":0.2,"max_tokens":256},)"
    R"("input_messages":[{"role":"user","parts":[{"type":"text",)"
    R"("text":"Observation: tree at left; wood 0. What next?"}]}],)"
    R"("output_messages":[{"role":"assistant","parts":[{"type":"text",)"
    R"("text":"{\"action\": \"do\"}"}]}],)"
    R"("usage":{"input_tokens":412,"output_tokens":38,"total_tokens":450},)"
    R"("finish_reason":"stop","outcome":"success"})";

std::string EventRecord(int seq) {
  std::string r = R"({"type":"event","id":"ev-0-)" + std::to_string(seq) +
                  R"(","session_id":"bench-session-0","event_type":"cais",)";
  r += R"("system_instance_id":"agent-llm","time_record":{"event_time":1741083301.35,)"
       R"("message_time":null},"model_name":"gpt-4o-mini","provider":"openai",)"
       R"("input_tokens":412,"output_tokens":38,"total_tokens":450,"cost_usd":8.46e-05,)"
       R"("latency_ms":820,"span_id":"span-c0","trace_id":"trace-7f3a","call_records":[)";
  r += kCallRecord;
  r += R"(],"metadata":{"attempt":1}})";
  return r;
}

std::string RecordsBody(int count) {
  std::string body = R"({"records":[)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) body += ',';
    body += EventRecord(i);
  }
  return body + "]}";
}

std::string NdjsonBody(int count) {
  std::string body;
  for (int i = 0; i < count; ++i) body += EventRecord(i) + "\n";
  return body;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// ---- the validators ----

// A: today's check.
bool CheckA(std::string_view text) {
  return tc::ingest::internal::CheckJson(text, kMaxDepth, true).ok;
}

// B: DOM parse. simdjson's DOM depth counts the document level too: 65 = 64 nested containers.
struct DomValidator {
  simdjson::dom::parser parser;
  DomValidator() {
    if (parser.allocate(1 << 20, kMaxDepth + 1) != simdjson::SUCCESS) std::abort();
  }
  simdjson::error_code Check(const char* data, size_t size, size_t capacity) {
    simdjson::dom::element root;
    return parser.parse(simdjson::padded_string_view(data, size, capacity)).get(root);
  }
};

// C: on-demand walk consuming every value. Returns SUCCESS, a simdjson error, or DEPTH_ERROR
// (nesting) / TAPE_ERROR (content after the value) for the checks done here.
template <typename V>
simdjson::error_code Walk(V& v, size_t depth) {
  od::json_type type;
  if (auto err = v.type().get(type)) return err;
  switch (type) {
    case od::json_type::object: {
      if (depth >= kMaxDepth) return simdjson::DEPTH_ERROR;
      od::object object;
      if (auto err = v.get_object().get(object)) return err;
      for (auto result : object) {
        od::field field;
        if (auto err = std::move(result).get(field)) return err;
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return err;
        if (auto err = Walk(field.value(), depth + 1)) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      if (depth >= kMaxDepth) return simdjson::DEPTH_ERROR;
      od::array array;
      if (auto err = v.get_array().get(array)) return err;
      for (auto result : array) {
        od::value element;
        if (auto err = std::move(result).get(element)) return err;
        if (auto err = Walk(element, depth + 1)) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      return v.get_string().get(text);
    }
    case od::json_type::number: {  // as Reader::Walk: a big integer is read as a double
      od::number number;
      if (v.get_number().get(number) == simdjson::SUCCESS) return simdjson::SUCCESS;
      double value = 0;
      return v.get_double().get(value);
    }
    case od::json_type::boolean: {
      bool value = false;
      return v.get_bool().get(value);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto err = v.is_null().get(is_null)) return err;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

struct OnDemandValidator {
  od::parser parser;
  simdjson::error_code Check(const char* data, size_t size, size_t capacity) {
    od::document doc;
    if (auto err = parser.iterate(simdjson::padded_string_view(data, size, capacity)).get(doc)) {
      return err;
    }
    if (auto err = Walk(doc, 0)) return err;
    const char* trailing = nullptr;  // as the NDJSON decoder: a location left means content
    if (doc.current_location().get(trailing) == simdjson::SUCCESS) return simdjson::TAPE_ERROR;
    return simdjson::SUCCESS;
  }
};

// ---- timing ----

struct Body {
  std::string name;
  simdjson::padded_string text;
  enum Kind { kRecords, kNdjson, kTrace } kind;
};

// CPU time of this thread: time spent descheduled on the shared machine is not counted.
double ThreadNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}
volatile size_t g_sink = 0;

// The method run over the whole body (NDJSON: line by line, as the decoder does).
std::function<size_t()> Method(char method, const Body& body, DomValidator& dom,
                               OnDemandValidator& ondemand, const IngestLimits& limits) {
  const std::string_view text(body.text.data(), body.text.size());
  const size_t capacity = text.size() + simdjson::SIMDJSON_PADDING;
  auto per_line = [text, capacity](auto check) {
    return [text, capacity, check]() {
      size_t ok = 0;
      tc::ingest::internal::ForEachNdjsonLine(text, [&](const tc::ingest::internal::NdjsonLine& l) {
        ok += check(l.text.data(), l.text.size(),
                    capacity - static_cast<size_t>(l.text.data() - text.data()));
      });
      return ok;
    };
  };
  auto a = [](const char* d, size_t n, size_t) -> size_t { return CheckA({d, n}) ? 1 : 0; };
  auto b = [&dom](const char* d, size_t n, size_t cap) -> size_t {
    return dom.Check(d, n, cap) == simdjson::SUCCESS ? 1 : 0;
  };
  auto c = [&ondemand](const char* d, size_t n, size_t cap) -> size_t {
    return ondemand.Check(d, n, cap) == simdjson::SUCCESS ? 1 : 0;
  };
  const bool ndjson = body.kind == Body::kNdjson;
  switch (method) {
    case 'A':
      if (ndjson) return per_line(a);
      return [text, a]() { return a(text.data(), text.size(), 0); };
    case 'B':
      if (ndjson) return per_line(b);
      return [text, capacity, b]() { return b(text.data(), text.size(), capacity); };
    case 'C':
      if (ndjson) return per_line(c);
      return [text, capacity, c]() { return c(text.data(), text.size(), capacity); };
    default:
      break;
  }
  const Body::Kind kind = body.kind;
  return [text, kind, &limits]() -> size_t {
    auto decoded = kind == Body::kTrace
                       ? tc::ingest::DecodeTraces(text, limits)
                       : tc::ingest::DecodeRecords(
                             text, kind == Body::kNdjson ? BodyFormat::kNdjson : BodyFormat::kJson,
                             limits);
    return decoded.has_value() ? decoded.value().records.size() : 0;
  };
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void RunSpeed(int rounds, double ms_per_sample) {
  const IngestLimits limits;
  std::vector<Body> bodies;
  bodies.push_back({"1 rec/req", simdjson::padded_string(RecordsBody(1)), Body::kRecords});
  bodies.push_back({"100 rec/req", simdjson::padded_string(RecordsBody(100)), Body::kRecords});
  bodies.push_back({"trace doc",
                    simdjson::padded_string(ReadFile(std::filesystem::path(TC_SOURCE_DIR) /
                                                     "tests/data/session_trace_full.json")),
                    Body::kTrace});
  bodies.push_back({"NDJSON 100", simdjson::padded_string(NdjsonBody(100)), Body::kNdjson});

  DomValidator dom;
  OnDemandValidator ondemand;
  const std::string methods = "ABCD";
  std::printf("JSON validation vs decode, %d rounds of %.0f CPU ms per method and body; simdjson "
              "%d.%d.%d, implementation %s\n",
              rounds, ms_per_sample, simdjson::SIMDJSON_VERSION_MAJOR,
              simdjson::SIMDJSON_VERSION_MINOR, simdjson::SIMDJSON_VERSION_REVISION,
              simdjson::get_active_implementation()->name().c_str());
  std::printf("%-12s %8s | %-22s | %-22s | %-22s | %-14s | %-18s | %s\n", "body", "bytes",
              "A CheckJson ns MB/s", "B DOM ns MB/s", "C on-demand walk ns", "D decode ns",
              "A/D  B/D  C/D", "D-A (est.) ns, (D-A+B)/D");
  for (const Body& body : bodies) {
    std::map<char, std::function<size_t()>> fns;
    for (char m : methods) fns[m] = Method(m, body, dom, ondemand, limits);
    // Every method must accept the body; the decoder must take every record.
    const size_t lines = body.kind == Body::kNdjson ? 100 : 1;
    for (char m : std::string("ABC")) {
      if (fns[m]() != lines) {
        std::fprintf(stderr, "%s: method %c refuses the body\n", body.name.c_str(), m);
        std::exit(1);
      }
    }
    const size_t records = fns['D']();
    if (records == 0) {
      std::fprintf(stderr, "%s: the decoder accepts no record\n", body.name.c_str());
      std::exit(1);
    }
    // Calibrate: iterations per sample.
    std::map<char, size_t> iters;
    for (char m : methods) {
      size_t n = 0;
      const double start = ThreadNs();
      while (ThreadNs() - start < ms_per_sample * 1e6 / 4) {
        g_sink = g_sink + fns[m]();
        ++n;
      }
      iters[m] = std::max<size_t>(1, n * 4);
    }
    std::map<char, std::vector<double>> ns;
    std::map<char, std::vector<double>> ratio;  // X/D per round
    std::vector<double> d_minus_a, one_pass_b;
    for (int r = 0; r < rounds; ++r) {
      std::map<char, double> sample;
      for (size_t k = 0; k < methods.size(); ++k) {
        // Rotate, and reverse every other round: each method runs first, last, after each other.
        size_t index = (k + static_cast<size_t>(r)) % methods.size();
        if (r % 2 == 1) index = methods.size() - 1 - index;
        const char m = methods[index];
        const size_t n = iters[m];
        const double start = ThreadNs();
        size_t sum = 0;
        for (size_t i = 0; i < n; ++i) sum += fns[m]();
        const double elapsed = ThreadNs() - start;
        g_sink = g_sink + sum;
        sample[m] = elapsed / static_cast<double>(n);
        ns[m].push_back(sample[m]);
      }
      for (char m : methods) ratio[m].push_back(sample[m] / sample['D']);
      d_minus_a.push_back(sample['D'] - sample['A']);
      one_pass_b.push_back((sample['D'] - sample['A'] + sample['B']) / sample['D']);
    }
    auto mbps = [&](double n) { return static_cast<double>(body.text.size()) / n * 1e3; };
    auto range = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f-%.2f", v.front(), v.back());
      return std::string(buf);
    };
    const double a = Median(ns['A']), b = Median(ns['B']), c = Median(ns['C']),
                 d = Median(ns['D']);
    std::printf("%-12s %8zu | %9.0f %6.0f MB/s | %9.0f %6.0f MB/s | %9.0f %6.0f MB/s | %9.0f %4.0f"
                " | %.2f %.2f %.2f | %.0f, %.2f\n",
                body.name.c_str(), body.text.size(), a, mbps(a), b, mbps(b), c, mbps(c), d,
                mbps(d), Median(ratio['A']), Median(ratio['B']), Median(ratio['C']),
                Median(d_minus_a), Median(one_pass_b));
    std::printf("%-12s %8s   per-round ranges: A/D %s, B/D %s, C/D %s; D %.0f-%.0f ns; %zu "
                "records decoded\n",
                "", "", range(ratio['A']).c_str(), range(ratio['B']).c_str(),
                range(ratio['C']).c_str(), *std::min_element(ns['D'].begin(), ns['D'].end()),
                *std::max_element(ns['D'].begin(), ns['D'].end()), records);
  }
  std::printf("(D-A+B)/D: today's path with CheckJson replaced by the DOM parse (two passes, "
              "both simdjson).\n");
}

// ---- validators compared ----

struct Verdicts {
  bool grammar;  // tests/fuzz/json_grammar.h (no depth limit)
  bool a;
  simdjson::error_code b;
  simdjson::error_code c;
  bool deep;  // nested deeper than 64 (per CheckJson)
};

struct Input {
  std::string label;
  std::string text;
};

std::string Show(std::string_view text, size_t max = 70) {
  std::string out;
  for (unsigned char ch : text.substr(0, max)) {
    if (ch >= 0x20 && ch < 0x7f) {
      out += static_cast<char>(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  if (text.size() > max) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

Verdicts Judge(std::string_view text, DomValidator& dom, OnDemandValidator& ondemand) {
  simdjson::padded_string padded(text);
  Verdicts v{};
  v.grammar = tc::fuzz::IsJson(text);
  auto check = tc::ingest::internal::CheckJson(text, kMaxDepth, true);
  v.a = check.ok;
  v.deep = check.too_deep;
  v.b = dom.Check(padded.data(), padded.size(), padded.size() + simdjson::SIMDJSON_PADDING);
  v.c = ondemand.Check(padded.data(), padded.size(), padded.size() + simdjson::SIMDJSON_PADDING);
  return v;
}

const char* Code(simdjson::error_code e) {
  return e == simdjson::SUCCESS ? "accepts" : simdjson::error_message(e);
}

std::vector<Input> CorpusInputs() {
  std::vector<Input> inputs;
  const std::filesystem::path root(TC_SOURCE_DIR);
  auto add_file = [&](const std::filesystem::path& path, bool ndjson) {
    const std::string text = ReadFile(path);
    const std::string label = std::filesystem::relative(path, root).string();
    if (!ndjson) {
      inputs.push_back({label, text});
      return;
    }
    tc::ingest::internal::ForEachNdjsonLine(text, [&](const tc::ingest::internal::NdjsonLine& l) {
      inputs.push_back({label + ":" + std::to_string(l.line_number), std::string(l.text)});
    });
  };
  for (const char* dir : {"decode_records_json", "decode_traces", "decode_records_ndjson"}) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(root / "tests/fuzz/corpus" / dir)) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add_file(f, std::string_view(dir) == "decode_records_ndjson");
  }
  return inputs;
}

std::vector<Input> HandMadeInputs() {
  std::vector<Input> in = {
      {"bad UTF-8 in a string", "{\"type\":\"session\",\"x\":\"a\xc3\x28z\"}"},
      {"overlong UTF-8", "{\"x\":\"\xc0\xaf\"}"},
      {"UTF-8 surrogate bytes", "{\"x\":\"\xed\xa0\x80\"}"},
      {"lone high surrogate escape", R"({"x":"\ud800"})"},
      {"lone low surrogate escape", R"({"x":"\udc00"})"},
      {"high surrogate + non-low escape", R"({"x":"\ud800\u0041"})"},
      {"lone surrogate in a key", R"({"\ud800":1})"},
      {"trailing garbage", R"({"type":"session"} x)"},
      {"two values", R"({"a":1}{"b":2})"},
      {"extra close", R"({"a":1}})"},
      {"unescaped control char", "{\"x\":\"a\tb\"}"},
      {"unescaped newline", "{\"x\":\"a\nb\"}"},
      {"1e999", R"({"x":1e999})"},
      {"-1e999", R"({"x":-1e999})"},
      {"1e-999 (underflow)", R"({"x":1e-999})"},
      {"120-digit integer", "{\"x\":" + std::string(120, '7') + "}"},
      {"2^64", R"({"x":18446744073709551616})"},
      {"truncated", R"({"records":[{"type":"session","session_id":"s")"},
      {"truncated string", R"({"x":"abc)"},
      {"tru", R"({"type":"session","x":tru})"},
      {"truex", R"({"x":truex})"},
      {"nul", R"({"x":nul})"},
      {"leading zero", R"({"x":01})"},
      {"trailing comma (array)", R"({"x":[1,2,]})"},
      {"trailing comma (object)", R"({"x":1,})"},
      {"missing colon", R"({"x" 1})"},
      {"missing comma", R"({"x":1 "y":2})"},
      {"single quotes", R"({'x':1})"},
      {"bad escape", R"({"x":"\q"})"},
      {"short \\u", R"({"x":"\u12"})"},
      {"NaN", R"({"x":NaN})"},
      {"scalar root", R"("just a string")"},
      {"scalar root + garbage", R"(1 2)"},
      {"empty", ""},
      {"fuzz regress: quote escape",
       "{\"\":\\\"},\"\":}"},  // regress-invalid-json-document's shape
  };
  auto nest = [](size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
  };
  auto nest_obj = [](size_t depth) {
    std::string s;
    for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    return s + std::string(depth, '}');
  };
  in.push_back({"64 nested arrays", nest(64)});
  in.push_back({"65 nested arrays", nest(65)});
  in.push_back({"64 nested objects", nest_obj(64)});
  in.push_back({"65 nested objects", nest_obj(65)});
  in.push_back({"2000 nested arrays", nest(2000)});
  return in;
}

// Random edits of valid inputs: most mutants are invalid, some are not.
std::string Mutate(const std::string& base, std::mt19937_64& rng) {
  static const std::string kBytes = "\"{}[],:\\ \t\n0123456789eE.+-tfnrulsa/x\x80\xc3\xff";
  std::string s = base;
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t pos = rng() % s.size();
    const char byte = rng() % 8 == 0 ? static_cast<char>(rng() % 256) : kBytes[rng() % kBytes.size()];
    switch (rng() % 4) {
      case 0:
        s[pos] = byte;
        break;
      case 1:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), byte);
        break;
      case 2:
        s.erase(pos, 1 + rng() % 3);
        break;
      default:
        s.resize(pos);  // truncation
        break;
    }
  }
  return s;
}

void RunChecks(size_t mutants, uint64_t seed, bool verbose) {
  DomValidator dom;
  OnDemandValidator ondemand;
  size_t a_vs_b = 0, a_vs_c = 0, a_vs_grammar = 0, total = 0;
  auto report = [&](const Input& input, const Verdicts& v, bool print_all) {
    ++total;
    const bool b = v.b == simdjson::SUCCESS, c = v.c == simdjson::SUCCESS;
    // The grammar oracle has no depth limit: CheckJson's depth refusal is not a disagreement.
    const bool grammar_differs = v.a != v.grammar && !v.deep;
    a_vs_b += v.a != b;
    a_vs_c += v.a != c;
    a_vs_grammar += grammar_differs;
    if (print_all || v.a != b || v.a != c || grammar_differs) {
      std::printf("  %-5s %-40s grammar %-6s A %-6s B %-28s C %-28s %s\n",
                  (v.a != b || v.a != c) ? "DIFF" : "", input.label.substr(0, 40).c_str(),
                  v.grammar ? "ok" : "no", v.a ? "ok" : "no", Code(v.b), Code(v.c),
                  Show(input.text, 60).c_str());
    }
  };

  std::printf("\nValidators on the fuzz seed corpus (decode_records_json, decode_traces: whole "
              "files; decode_records_ndjson: each line). Listed: inputs where A, B, C or the "
              "grammar oracle disagree%s.\n",
              verbose ? " (all inputs with --verbose)" : "");
  const std::vector<Input> corpus = CorpusInputs();
  size_t before_b = a_vs_b, before_c = a_vs_c;
  for (const Input& input : corpus) report(input, Judge(input.text, dom, ondemand), verbose);
  std::printf("  corpus: %zu inputs, A≠B %zu, A≠C %zu\n", corpus.size(), a_vs_b - before_b,
              a_vs_c - before_c);

  std::printf("\nHand-made inputs (all listed):\n");
  before_b = a_vs_b;
  before_c = a_vs_c;
  const std::vector<Input> hand = HandMadeInputs();
  for (const Input& input : hand) report(input, Judge(input.text, dom, ondemand), true);
  std::printf("  hand-made: %zu inputs, A≠B %zu, A≠C %zu\n", hand.size(), a_vs_b - before_b,
              a_vs_c - before_c);

  if (mutants == 0) return;
  // Mutants: counted by (who accepts, B's error, C's error); the shortest example of each kind.
  std::vector<std::string> bases;
  for (const Input& input : corpus) {
    if (tc::fuzz::IsJson(input.text)) bases.push_back(input.text);
  }
  std::mt19937_64 rng(seed);
  struct Kind {
    size_t count = 0;
    std::string example;
  };
  std::map<std::string, Kind> kinds;
  size_t valid = 0, m_ab = 0, m_ac = 0, m_ag = 0;
  for (size_t i = 0; i < mutants; ++i) {
    const std::string text = Mutate(bases[rng() % bases.size()], rng);
    const Verdicts v = Judge(text, dom, ondemand);
    const bool b = v.b == simdjson::SUCCESS, c = v.c == simdjson::SUCCESS;
    valid += v.a;
    m_ab += v.a != b;
    m_ac += v.a != c;
    m_ag += v.a != v.grammar && !v.deep;
    if (v.a == b && v.a == c && (v.a == v.grammar || v.deep)) continue;
    const std::string key = std::string("grammar ") + (v.grammar ? "ok" : "no") + ", A " +
                            (v.a ? "ok" : "no") + ", B " + Code(v.b) + ", C " + Code(v.c);
    Kind& kind = kinds[key];
    ++kind.count;
    if (kind.example.empty() || text.size() < kind.example.size()) kind.example = text;
  }
  std::printf("\nMutants (seed %llu): %zu of %zu valid inputs edited 1-3 times; %zu accepted by "
              "A. A≠B %zu, A≠C %zu, A≠grammar %zu. Kinds of disagreement (count, shortest "
              "example):\n",
              static_cast<unsigned long long>(seed), mutants, bases.size(), valid, m_ab, m_ac,
              m_ag);
  for (const auto& [key, kind] : kinds) {
    std::printf("  %6zu  %s\n          e.g. %s\n", kind.count, key.c_str(),
                Show(kind.example, 160).c_str());
  }
  a_vs_b += m_ab;
  a_vs_c += m_ac;
  std::printf("\nTotal: %zu inputs, A≠B %zu, A≠C %zu\n", total + mutants, a_vs_b, a_vs_c);
  (void)a_vs_grammar;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 21;
  double ms = 20;
  size_t mutants = 200000;
  uint64_t seed = 17;
  bool speed = true, checks = true, verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--rounds") {
      rounds = std::atoi(next());
    } else if (arg == "--ms") {
      ms = std::atof(next());
    } else if (arg == "--mutants") {
      mutants = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--seed") {
      seed = std::strtoull(next(), nullptr, 10);
    } else if (arg == "--speed-only") {
      checks = false;
    } else if (arg == "--check-only") {
      speed = false;
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      std::fprintf(arg == "--help" ? stdout : stderr,
                   "usage: %s [--rounds N (21)] [--ms CPU-ms per sample (20)] [--mutants N "
                   "(200000)] [--seed S (17)] [--speed-only | --check-only] [--verbose]\n",
                   argv[0]);
      return arg == "--help" ? 0 : 2;
    }
  }
  if (speed) RunSpeed(std::max(1, rounds), ms);
  if (checks) RunChecks(mutants, seed, verbose);
  return 0;
}
