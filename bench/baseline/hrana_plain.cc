#include "baseline/hrana_plain.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <numeric>

#include "common/time_format.h"
#include "sink/hrana/hrana_batch.h"
#include "sink/hrana/hrana_sink.h"
#include "storage/write_plan.h"

namespace tc::bench {
namespace {

size_t Collect(char* chunk, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(chunk, size * count);
  return size * count;
}

}  // namespace

struct PlainHranaClient::Impl {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  std::string url;
  std::string response;
  std::vector<storage::RecordPlan> plans;
  std::vector<size_t> pending;

  ~Impl() {
    curl_slist_free_all(headers);
    if (curl != nullptr) {
      curl_easy_cleanup(curl);
    }
  }
};

PlainHranaClient::PlainHranaClient() : impl_(std::make_unique<Impl>()) {}
PlainHranaClient::~PlainHranaClient() = default;

bool PlainHranaClient::Open(const std::string& base_url, std::string* error) {
  sink::HranaSinkOptions options;
  options.client.url = base_url;
  options.client.pool.timeout_ms = 60000;
  auto schema = sink::HranaSink::Create(options);
  if (!schema.has_value()) {
    *error = schema.error().ToString();
    return false;
  }
  if (Status s = (*schema)->Open(); !s.ok()) {
    *error = "schema: " + s.ToString();
    return false;
  }
  Impl& m = *impl_;
  m.url = base_url + "/v2/pipeline";
  m.curl = curl_easy_init();
  m.headers = curl_slist_append(nullptr, "Content-Type: application/json");
  m.headers = curl_slist_append(m.headers, "Expect:");
  curl_easy_setopt(m.curl, CURLOPT_URL, m.url.c_str());
  curl_easy_setopt(m.curl, CURLOPT_HTTPHEADER, m.headers);
  curl_easy_setopt(m.curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(m.curl, CURLOPT_WRITEDATA, &m.response);
  curl_easy_setopt(m.curl, CURLOPT_TIMEOUT_MS, 120000L);
  curl_easy_setopt(m.curl, CURLOPT_TCP_NODELAY, 1L);
  return true;
}

void PlainHranaClient::Encode(std::span<const schema::Record> records,
                              std::vector<std::string>* bodies) {
  Impl& m = *impl_;
  const std::string now = NowIsoUtc();
  if (m.plans.size() < records.size()) {
    m.plans.resize(records.size());
  }
  for (size_t i = 0; i < records.size(); ++i) {
    storage::PlanRecordInto(records[i], now, &m.plans[i]);
  }
  m.pending.resize(records.size());
  std::iota(m.pending.begin(), m.pending.end(), size_t{0});
  // tursodb's dialect, as the sink detects it: no "close", the is_autocommit condition.
  sink::HranaBatchLimits limits;
  limits.send_close = false;
  limits.autocommit_cond = true;
  const std::span<const storage::RecordPlan> plans(m.plans.data(), records.size());
  size_t from = 0;
  while (from < m.pending.size()) {
    sink::EncodedBatch batch;
    from += sink::EncodeTransaction(plans, std::span<const size_t>(m.pending).subspan(from), limits,
                                    &batch);
    bodies->push_back(std::move(batch.body));
  }
}

bool PlainHranaClient::Post(const std::string& body, std::string* error) {
  Impl& m = *impl_;
  m.response.clear();
  curl_easy_setopt(m.curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(m.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  long http = 0;
  const CURLcode rc = curl_easy_perform(m.curl);
  curl_easy_getinfo(m.curl, CURLINFO_RESPONSE_CODE, &http);
  if (rc != CURLE_OK || http != 200) {
    *error = fmt::format("POST {}: {} (HTTP {}) {}", m.url, curl_easy_strerror(rc), http,
                         m.response.substr(0, 300));
    return false;
  }
  return true;
}

}  // namespace tc::bench
