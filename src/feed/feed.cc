// Feed (feed.h): the buffer, the positions and their file, the waiters.

#include "feed/feed.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>

#include "common/log.h"
#include "record_json.h"

namespace tc::feed {
namespace {

constexpr uint64_t kReserveBlock = uint64_t{1} << 20;
constexpr std::string_view kMagic = "tracecollector-feed-position v1";
// RecordBody order; the last, "trace_link", is internal and never published.
constexpr std::string_view kTypeNames[] = {
    "session", "session_end",    "timestep",       "event",        "message",   "experiment",
    "system",  "system_version", "outcome_reward", "event_reward", "trace_link"};
static_assert(std::size(kTypeNames) == std::variant_size_v<schema::RecordBody>);

uint64_t NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// "<magic> clean|reserved <n>\n" → (clean, n); nullopt when it is not that.
std::optional<std::pair<bool, uint64_t>> ParsePositionFile(const std::string& text) {
  std::istringstream in(text);
  std::string magic1, magic2, kind, number;
  if (!(in >> magic1 >> magic2 >> kind >> number)) return std::nullopt;
  if (magic1 + " " + magic2 != kMagic || (kind != "clean" && kind != "reserved")) {
    return std::nullopt;
  }
  uint64_t n = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (error != std::errc() || end != number.data() + number.size()) return std::nullopt;
  return std::make_pair(kind == "clean", n);
}

// Replaces `path` with `text`, durably: a temporary file, fsync, rename, fsync of the directory.
Status WriteDurably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable(fmt::format("open {}: {}", tmp, std::strerror(errno)));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written) return Status::Unavailable(fmt::format("write {}: {}", tmp, std::strerror(saved)));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable(fmt::format("rename {}: {}", tmp, std::strerror(errno)));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

// The published types: all but the internal one, the variant's last alternative.
static_assert(std::is_same_v<std::variant_alternative_t<std::variant_size_v<schema::RecordBody> - 1,
                                                        schema::RecordBody>,
                             schema::TraceLinkRecord>);
std::span<const std::string_view> RecordTypeNames() {
  return std::span(kTypeNames).first(std::size(kTypeNames) - 1);
}

size_t EntryBytes(const FeedEntry& entry) {
  // The entry, its control block and deque slot, and its three strings' heap blocks.
  return sizeof(FeedEntry) + 64 + entry.frame.capacity() + entry.session_id.capacity() +
         entry.event_type.capacity();
}

bool FeedFilter::Matches(const FeedEntry& entry) const {
  return (types & (1u << entry.type)) != 0 &&
         (session_id.empty() || session_id == entry.session_id) &&
         (event_type.empty() || event_type == entry.event_type);
}

struct Feed::State {
  FeedOptions options;
  mutable std::shared_mutex mu;                         // the buffer and the positions
  std::deque<std::shared_ptr<const FeedEntry>> buffer;  // positions first.. last, contiguous
  uint64_t bytes = 0;
  uint64_t last = 0;      // the last position handed out
  uint64_t base = 0;      // positions <= base are from before this start
  uint64_t reserved = 0;  // positions up to here are covered by the file (0: the file is clean)
  std::mutex waiters_mu;
  std::vector<std::pair<uint64_t, std::function<void()>>> waiters;
  uint64_t next_waiter = 1;
};

Feed::Feed(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<Feed>> Feed::Open(FeedOptions options) {
  auto state = std::make_unique<State>();
  std::string text;
  {
    std::ifstream in(options.position_file);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  const auto parsed = ParsePositionFile(text);
  if (parsed) {
    // Clean: go on from the exact position. Reserved: positions up to the reservation may have
    // been handed out before a crash; go on above them.
    state->last = parsed->second;
  } else {
    if (!text.empty()) {
      TC_LOG(kWarn, "feed",
             "{} is not a position file; stream positions go on from the current "
             "time (older positions get event: reset)",
             options.position_file);
    }
    state->last = NowMicros();
  }
  state->base = state->last;
  state->options = std::move(options);
  // Reserve before handing out any position, so a crash from now on restarts above them.
  state->reserved = state->last + kReserveBlock;
  const Status written = WriteDurably(state->options.position_file,
                                      fmt::format("{} reserved {}\n", kMagic, state->reserved));
  if (!written.ok()) {
    // The stream still works; only resuming across a restart does not (positions then start
    // from the clock at each start, above the last run's unless it handed out more than one
    // per microsecond).
    TC_LOG(kWarn, "feed", "stream positions will not be kept across restarts: {}",
           written.ToString());
    state->options.position_file.clear();
    if (!parsed) state->base = state->last = std::max(state->last, NowMicros());
  }
  return std::unique_ptr<Feed>(new Feed(std::move(state)));
}

Feed::~Feed() {
  std::unique_lock lock(state_->mu);
  if (state_->options.position_file.empty()) return;
  const Status written = WriteDurably(state_->options.position_file,
                                      fmt::format("{} clean {}\n", kMagic, state_->last));
  if (!written.ok()) {
    TC_LOG(kWarn, "feed",
           "the stream position was not saved ({}); after the restart older "
           "positions get event: reset",
           written.ToString());
  }
}

void Feed::Publish(std::span<const schema::Record> records,
                   std::span<const sink::RecordResult> results) {
  bool appended = false;
  {
    std::unique_lock lock(state_->mu);
    for (size_t i = 0; i < records.size() && i < results.size(); ++i) {
      if (results[i].outcome != sink::RecordOutcome::kStored) continue;
      if (schema::IsInternalRecord(records[i].body)) continue;
      if (state_->last + 1 > state_->reserved && !state_->options.position_file.empty()) {
        state_->reserved = state_->last + kReserveBlock;
        const Status written =
            WriteDurably(state_->options.position_file,
                         fmt::format("{} reserved {}\n", kMagic, state_->reserved));
        if (!written.ok()) {
          TC_LOG_LIMITED(kWarn, "feed", "the stream position reservation was not saved: {}",
                         written.ToString());
        }
      }
      const schema::Record& record = records[i];
      auto entry = std::make_shared<FeedEntry>();
      entry->position = ++state_->last;
      entry->type = static_cast<uint32_t>(record.body.index());
      std::visit(
          [&](const auto& body) {
            if constexpr (requires { body.session_id; }) {
              entry->session_id = std::string(body.session_id);
            }
            if constexpr (std::is_same_v<std::decay_t<decltype(body)>, schema::EventRecord>) {
              entry->event_type = schema::EventTypeName(body.event_type);
            }
          },
          record.body);
      entry->frame = fmt::format("id: {}\nevent: record\ndata: ", entry->position);
      AppendRecordJson(record, entry->position, &entry->frame);
      entry->frame.append("\n\n");
      state_->bytes += EntryBytes(*entry);
      state_->buffer.push_back(std::move(entry));
      while (state_->buffer.size() > state_->options.max_records ||
             (state_->bytes > state_->options.max_bytes && state_->buffer.size() > 1)) {
        state_->bytes -= EntryBytes(*state_->buffer.front());
        state_->buffer.pop_front();
      }
      appended = true;
    }
  }
  if (!appended) return;
  std::lock_guard<std::mutex> lock(state_->waiters_mu);
  for (auto& [id, wake] : state_->waiters) wake();
}

uint64_t Feed::last_position() const {
  std::shared_lock lock(state_->mu);
  return state_->last;
}

bool Feed::CanResume(uint64_t after) const {
  std::shared_lock lock(state_->mu);
  const uint64_t first =
      state_->buffer.empty() ? state_->last + 1 : state_->buffer.front()->position;
  return after >= state_->base && after + 1 >= first && after <= state_->last;
}

uint64_t Feed::OldestResumable() const {
  std::shared_lock lock(state_->mu);
  const uint64_t first =
      state_->buffer.empty() ? state_->last + 1 : state_->buffer.front()->position;
  return std::max(state_->base, first - 1);
}

FeedRead Feed::Read(uint64_t after, const FeedFilter& filter, size_t max_bytes) const {
  FeedRead out;
  out.after = after;
  std::shared_lock lock(state_->mu);
  if (state_->buffer.empty() || after >= state_->last) return out;
  const uint64_t first = state_->buffer.front()->position;
  if (after + 1 < first) {
    out.missed = first - 1 - after;
    after = first - 1;
  }
  size_t bytes = 0;
  for (size_t i = after + 1 - first; i < state_->buffer.size(); ++i) {
    const std::shared_ptr<const FeedEntry>& entry = state_->buffer[i];
    out.after = entry->position;
    if (!filter.Matches(*entry)) continue;
    out.entries.push_back(entry);
    bytes += entry->frame.size();
    if (bytes >= max_bytes) break;
  }
  if (out.entries.empty() && out.missed == 0) out.after = state_->last;
  return out;
}

uint64_t Feed::AddWaiter(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(state_->waiters_mu);
  const uint64_t id = state_->next_waiter++;
  state_->waiters.emplace_back(id, std::move(wake));
  return id;
}

void Feed::RemoveWaiter(uint64_t id) {
  std::lock_guard<std::mutex> lock(state_->waiters_mu);
  std::erase_if(state_->waiters, [&](const auto& w) { return w.first == id; });
}

size_t Feed::waiters() const {
  std::lock_guard<std::mutex> lock(state_->waiters_mu);
  return state_->waiters.size();
}

}  // namespace tc::feed
