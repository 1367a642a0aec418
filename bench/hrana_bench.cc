// Throughput of HranaSink against tursodb --sync-server, next to a plain libcurl loop POSTing
// the same transaction bodies (same encoder, same statements) to a second, fresh tursodb: the
// difference is what the sink adds (planning, encoding, parsing, classification).
//
//   hrana_bench [--tursodb PATH] [--batches N] [--batch-size B] [--repeat R]
// PATH defaults to $TC_TURSODB, then the npm copy under .deps/ (scripts/install-deps.sh --test).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/time_format.h"
#include "sink/hrana/hrana_batch.h"
#include "sink/hrana/hrana_response.h"
#include "sink/hrana/hrana_sink.h"
#include "storage/write_plan.h"

namespace {

using Clock = std::chrono::steady_clock;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// tursodb <dir>/<name> --sync-server 127.0.0.1:<port>, killed (SIGINT) on destruction.
class Tursodb {
 public:
  Tursodb(const std::string& binary, const std::string& db) {
    port_ = FreePort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string log = db + ".log";
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execl(binary.c_str(), binary.c_str(), db.c_str(), "--sync-server", listen.c_str(),
              static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 1000 && !Accepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!Accepts(port_)) {
      throw std::runtime_error("tursodb did not start, see " + log);
    }
  }
  ~Tursodb() {
    ::kill(pid_, SIGINT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

tc::schema::Record MakeEvent(int batch, int i, bool with_step) {
  tc::schema::EventRecord e;
  e.session_id = fmt::format("session-{}", i % 32);
  if (with_step) {
    e.step_id = fmt::format("step-{}-{}", batch, i % 8);
  }
  e.event_type = tc::schema::EventType::kCais;
  e.system_instance_id = "agent-llm";
  e.event_time = 1714557601.25 + i;
  e.model_name = "gpt-4o-mini";
  e.provider = "openai";
  e.input_tokens = 1200 + i;
  e.output_tokens = 180;
  e.total_tokens = 1380 + i;
  e.cost_usd = 0.00042;
  e.latency_ms = 640;
  e.span_id = fmt::format("span-{}-{}", batch, i);
  e.trace_id = fmt::format("trace-{}", batch);
  e.metadata = fmt::format(R"({{"step_id":"{}","attempt":1}})", e.step_id.value_or(""));
  e.call_records = R"([{"role":"assistant","content":"ok","finish_reason":"stop"}])";
  return {fmt::format("ev-{}-{}", batch, i), e};
}

size_t CurlKeep(char* chunk, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(chunk, size * count);
  return size * count;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int Run(const std::string& binary, const std::string& dir, int batches, int batch_size,
        bool with_step) {
  std::vector<std::vector<tc::schema::Record>> data(batches);
  for (int b = 0; b < batches; ++b) {
    for (int i = 0; i < batch_size; ++i) data[b].push_back(MakeEvent(b, i, with_step));
  }
  const double rows = static_cast<double>(batches) * batch_size;
  // The request bodies the plain client sends: the sink's encoder on the same records, built
  // up front (plan + encode timed here: the sink's CPU cost per batch).
  std::vector<std::string> bodies;
  std::vector<size_t> body_batch;  // batch of each body
  double encode_seconds = 0;
  {
    const std::string now = tc::NowIsoUtc();
    tc::sink::HranaBatchLimits limits;
    limits.send_close = false;
    std::vector<tc::storage::RecordPlan> plans(static_cast<size_t>(batch_size));
    std::vector<size_t> pending(plans.size());
    std::iota(pending.begin(), pending.end(), size_t{0});
    const auto start = Clock::now();
    for (size_t b = 0; b < data.size(); ++b) {
      for (size_t i = 0; i < data[b].size(); ++i) {
        tc::storage::PlanRecordInto(data[b][i], now, &plans[i]);
      }
      size_t from = 0;
      while (from < pending.size()) {
        tc::sink::EncodedBatch encoded;
        from += tc::sink::EncodeTransaction(plans, std::span<const size_t>(pending).subspan(from),
                                            limits, &encoded);
        bodies.push_back(std::move(encoded.body));
        body_batch.push_back(b);
      }
    }
    encode_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }

  // Two fresh servers side by side; each batch goes to the sink (server A), then the same
  // bodies to server B by a bare libcurl loop, so both see the same machine load.
  Tursodb server_a(binary, dir + (with_step ? "/sink-steps.db" : "/sink.db"));
  Tursodb server_b(binary, dir + (with_step ? "/plain-steps.db" : "/plain.db"));
  tc::sink::HranaSinkOptions options;
  options.client.url = server_a.url();
  options.client.pool.timeout_ms = 60000;
  options.checkpoint_every_batches = 0;  // not part of the comparison
  options.checkpoint_interval_ms = 0;
  auto sink = tc::sink::HranaSink::Create(options);
  tc::sink::HranaSinkOptions schema_options = options;
  schema_options.client.url = server_b.url();
  auto schema = tc::sink::HranaSink::Create(schema_options);  // creates B's schema only
  if (!sink.has_value() || !(*sink)->Open().ok() || !schema.has_value() ||
      !(*schema)->Open().ok()) {
    fmt::print(stderr, "cannot open the sinks\n");
    return 1;
  }
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  const std::string url = server_b.url() + "/v2/pipeline";
  std::string last_response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CurlKeep);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &last_response);

  double sink_seconds = 0;
  double plain_seconds = 0;
  std::vector<double> sink_ms;
  std::vector<double> plain_ms;
  std::vector<tc::sink::RecordResult> results;
  size_t next_body = 0;
  for (size_t b = 0; b < data.size(); ++b) {
    const auto t0 = Clock::now();
    tc::Status status = (*sink)->Write(data[b], &results);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!status.ok()) {
      fmt::print(stderr, "write failed: {}\n", status.ToString());
      return 1;
    }
    sink_ms.push_back(ms);
    sink_seconds += ms / 1000;
    const auto t1 = Clock::now();
    for (; next_body < bodies.size() && body_batch[next_body] == b; ++next_body) {
      const std::string& body = bodies[next_body];
      last_response.clear();
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      long http = 0;
      if (curl_easy_perform(curl) != CURLE_OK ||
          curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http) != CURLE_OK || http != 200) {
        fmt::print(stderr, "plain POST failed ({})\n", http);
        return 1;
      }
    }
    const double plain = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
    plain_ms.push_back(plain);
    plain_seconds += plain / 1000;
  }
  const uint64_t sink_requests = (*sink)->stats().requests;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  double parse_ms = 0;
  {
    const int rounds = 20;
    const auto start = Clock::now();
    for (int i = 0; i < rounds; ++i) {
      std::string copy = last_response;
      auto parsed = tc::sink::hrana::ParsePipelineResponse(copy);
      if (!parsed.has_value()) {
        fmt::print(stderr, "parse failed: {}\n", parsed.error().ToString());
        return 1;
      }
    }
    parse_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / rounds;
  }

  size_t body_bytes = 0;
  for (const auto& b : bodies) body_bytes += b.size();
  fmt::print("{} batches x {} keyed cais events, {}:\n", batches, batch_size,
             with_step ? "each naming a step (claim_timestep per event)" : "no step_id");
  fmt::print("  request body: {:.0f} KB per batch ({:.0f} bytes/record), response {:.0f} KB\n",
             static_cast<double>(body_bytes) / bodies.size() / 1024,
             static_cast<double>(body_bytes) / rows,
             static_cast<double>(last_response.size()) / 1024);
  fmt::print(
      "  HranaSink:          {:>8.0f} rows/s  ({} requests; batch p50 {:.1f} ms, p99 {:.1f} "
      "ms)\n",
      rows / sink_seconds, sink_requests, Percentile(sink_ms, 0.5), Percentile(sink_ms, 0.99));
  fmt::print(
      "  plain libcurl POST: {:>8.0f} rows/s  ({} requests; batch p50 {:.1f} ms, p99 {:.1f} "
      "ms)\n",
      rows / plain_seconds, bodies.size(), Percentile(plain_ms, 0.5), Percentile(plain_ms, 0.99));
  fmt::print("  sink CPU per batch: plan+encode {:.2f} ms, parse response {:.2f} ms\n",
             encode_seconds * 1000 / batches, parse_ms);
  return 0;
}

int main(int argc, char** argv) {
  std::string binary;
  if (const char* env = std::getenv("TC_TURSODB")) binary = env;
  if (binary.empty()) binary = TC_BENCH_TURSODB;
  int batches = 50;
  int batch_size = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--tursodb") binary = argv[i + 1];
    if (flag == "--batches") batches = std::atoi(argv[i + 1]);
    if (flag == "--batch-size") batch_size = std::atoi(argv[i + 1]);
  }
  tc::log::SetLevel(tc::log::Level::kWarn);
  char dir_template[] = "/tmp/hrana-bench-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  fmt::print("hrana_bench: tursodb {}\n", binary);
  int rc = Run(binary, dir, batches, batch_size, false);
  if (rc == 0) rc = Run(binary, dir, std::max(1, batches / 10), batch_size, true);
  std::filesystem::remove_all(dir);
  return rc;
}
