#include "loadgen/options.h"

#include <cstdlib>
#include <sstream>

namespace tc::bench {
namespace {

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

bool Number(const std::string& text, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && *out >= 0;
}

}  // namespace

std::string Usage() {
  return "usage: loadgen [--smoke] [--duration S] [--connections N] [--client-threads N]\n"
         "               [--backends embedded,sqld] [--workloads 1,100,trace,otlp]\n"
         "               [--acks durable,queued] [--baseline-batch N] [--baseline-duration S]\n"
         "               [--latency-fraction F | --latency-rate R] [--no-baselines]\n"
         "               [--no-latency] [--collector PATH] [--tursodb PATH]\n"
         "               [--collector-arg ARG]... [--workdir DIR] [--keep] [--max-records N]\n"
         "Prints one table row per (backend, workload, ack), the baselines and the latency run;\n"
         "exits 1 if any database check fails. See docs/performance.md.\n";
}

bool ParseOptions(int argc, char** argv, Options* out, bool* help, std::string* error) {
  *help = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&](std::string* v) {
      if (i + 1 >= argc) {
        *error = flag + " needs a value";
        return false;
      }
      *v = argv[++i];
      return true;
    };
    auto number = [&](double* d) {
      std::string v;
      if (!value(&v)) {
        return false;
      }
      if (!Number(v, d)) {
        *error = flag + ": not a number: " + v;
        return false;
      }
      return true;
    };
    std::string v;
    double d = 0;
    if (flag == "--help" || flag == "-h") {
      *help = true;
    } else if (flag == "--smoke") {
      out->smoke = true;
      out->duration_s = 0.5;
      out->connections = 8;
      out->baseline_duration_s = 0.2;
      out->baseline_batch = 256;
      out->max_records = 400;
    } else if (flag == "--keep") {
      out->keep = true;
    } else if (flag == "--no-baselines") {
      out->baselines = false;
    } else if (flag == "--no-latency") {
      out->latency = false;
    } else if (flag == "--collector") {
      if (!value(&out->collector)) {
        return false;
      }
    } else if (flag == "--tursodb") {
      if (!value(&out->tursodb)) {
        return false;
      }
    } else if (flag == "--workdir") {
      if (!value(&out->workdir)) {
        return false;
      }
    } else if (flag == "--collector-arg") {
      if (!value(&v)) {
        return false;
      }
      out->collector_args.push_back(v);
    } else if (flag == "--backends") {
      if (!value(&v)) {
        return false;
      }
      out->backends = Split(v);
      for (const auto& b : out->backends) {
        if (b != "embedded" && b != "sqld") {
          *error = "unknown backend " + b;
          return false;
        }
      }
    } else if (flag == "--acks") {
      if (!value(&v)) {
        return false;
      }
      out->acks = Split(v);
      for (const auto& a : out->acks) {
        if (a != "durable" && a != "queued") {
          *error = "unknown ack " + a;
          return false;
        }
      }
    } else if (flag == "--workloads") {
      if (!value(&v)) {
        return false;
      }
      out->workloads.clear();
      for (const auto& name : Split(v)) {
        WorkloadKind kind;
        if (!ParseWorkloadKind(name, &kind)) {
          *error = "unknown workload " + name + " (1, 100, trace, otlp)";
          return false;
        }
        out->workloads.push_back(kind);
      }
    } else if (flag == "--duration") {
      if (!number(&out->duration_s)) {
        return false;
      }
    } else if (flag == "--baseline-duration") {
      if (!number(&out->baseline_duration_s)) {
        return false;
      }
    } else if (flag == "--latency-fraction") {
      if (!number(&out->latency_fraction)) {
        return false;
      }
    } else if (flag == "--latency-rate") {
      if (!number(&out->latency_rate)) {
        return false;
      }
    } else if (flag == "--max-records") {
      if (!number(&d)) {
        return false;
      }
      out->max_records = static_cast<uint64_t>(d);
    } else if (flag == "--connections" || flag == "--client-threads" ||
               flag == "--baseline-batch") {
      if (!number(&d)) {
        return false;
      }
      if (d < 1) {
        *error = flag + " must be at least 1";
        return false;
      }
      if (flag == "--connections") {
        out->connections = static_cast<uint32_t>(d);
      } else if (flag == "--client-threads") {
        out->client_threads = static_cast<uint32_t>(d);
      } else {
        out->baseline_batch = static_cast<uint64_t>(d);
      }
    } else {
      *error = "unknown flag " + flag;
      return false;
    }
  }
  if (out->baseline_duration_s < 0) {
    out->baseline_duration_s = kDefaultBaselineShare * out->duration_s;
  }
  return true;
}

}  // namespace tc::bench
