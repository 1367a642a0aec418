#include "spool/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "common/log.h"
#include "common/unique_fd.h"
#include "frame.h"
#include "record_codec.h"

namespace tc::spool {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText(const char* what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}

std::string SegmentName(uint64_t seq) { return fmt::format("seg-{:020}.spool", seq); }

// "seg-00000000000000000042.spool" → 42; false for any other name.
bool ParseSegmentName(const std::string& name, uint64_t* seq) {
  constexpr size_t kDigits = 20;
  if (name.size() != 4 + kDigits + 6 || name.rfind("seg-", 0) != 0 ||
      name.compare(4 + kDigits, 6, ".spool") != 0) {
    return false;
  }
  uint64_t value = 0;
  for (size_t i = 4; i < 4 + kDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *seq = value;
  return true;
}

// fsync, then close (the fsync's errno is read before the close).
Status SyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Status::Unavailable(ErrnoText("cannot open", dir));
  if (::fsync(fd.get()) != 0) return Status::Unavailable(ErrnoText("cannot fsync", dir));
  return Status::Ok();
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::Unavailable(ErrnoText("cannot open", path));
  out->clear();
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(ErrnoText("cannot read", path));
    if (n == 0) break;
    out->append(buffer, static_cast<size_t>(n));
  }
  return Status::Ok();
}

bool PreadAll(int fd, char* out, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RandomHex() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}{:08x}", device(), device(), device());
}

}  // namespace

Spool::Spool(const SpoolOptions& options, metrics::Metrics& metrics)
    : options_(options), metrics_(metrics), key_prefix_("~spool/" + RandomHex() + "/") {}

Spool::~Spool() {
  std::lock_guard<std::mutex> lock(mu_);
  CloseWriter();
  read_fd_.Reset();
  lock_fd_.Reset();  // releases the flock, last
}

Result<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options,
                                           metrics::Metrics& metrics) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Status::Unavailable(fmt::format("cannot create spool directory {}: {}", options.dir,
                                           ec.message()));
  }
  std::unique_ptr<Spool> spool(new Spool(options, metrics));
  const std::string lock_path = options.dir + "/LOCK";
  spool->lock_fd_.Reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!spool->lock_fd_.valid()) return Status::Unavailable(ErrnoText("cannot open", lock_path));
  if (::flock(spool->lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::FailedPrecondition(fmt::format(
        "spool directory {} is in use by another process (each collector needs its own "
        "spool.dir)",
        options.dir));
  }
  std::lock_guard<std::mutex> lock(spool->mu_);
  TC_RETURN_IF_ERROR(spool->Scan());
  return spool;
}

Status Spool::Scan() {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    uint64_t seq = 0;
    if (entry.is_regular_file() && ParseSegmentName(entry.path().filename().string(), &seq)) {
      found.emplace_back(seq, entry.path().string());
    }
  }
  if (ec) return Status::Unavailable(fmt::format("cannot list {}: {}", options_.dir, ec.message()));
  std::sort(found.begin(), found.end());
  std::string bytes;
  uint64_t frames = 0;
  for (auto& [seq, path] : found) {
    TC_RETURN_IF_ERROR(ReadWholeFile(path, &bytes));
    Segment segment{seq, path, bytes.size(), {}};
    size_t offset = 0;
    while (offset < bytes.size()) {
      std::string_view payload;
      size_t frame_bytes = 0;
      std::string_view rest = std::string_view(bytes).substr(offset);
      FrameCheck check = CheckFrame(rest, &payload, &frame_bytes);
      if (check == FrameCheck::kGood) {
        offset += frame_bytes;
        ++frames;
        continue;
      }
      size_t next = check == FrameCheck::kIncomplete ? bytes.size()
                                                     : FindNextGoodFrame(bytes, offset + 1);
      segment.damaged.emplace_back(offset, next);
      metrics_.spool_corrupt_bytes.Add(next - offset);
      TC_LOG(kWarn, "spool",
             "{}: {} bytes at offset {} are {} and are skipped; the frames before and after are "
             "kept",
             path, next - offset, offset,
             next == bytes.size() ? "a torn or corrupt tail" : "corrupt");
      offset = next;
    }
    bytes_ += segment.size;
    next_seq_ = seq + 1;
    segments_.push_back(std::move(segment));
  }
  if (!segments_.empty()) {
    read_ = Position{segments_.front().seq, 0};
    TC_LOG(kInfo, "spool", "{}: {} frames in {} segments ({} bytes) left to replay", options_.dir,
           frames, segments_.size(), bytes_);
  }
  metrics_.spool_capacity_bytes.Set(static_cast<int64_t>(options_.max_bytes));
  UpdateGauge();
  return Status::Ok();
}

void Spool::UpdateGauge() { metrics_.spool_bytes.Set(static_cast<int64_t>(bytes_)); }

void Spool::CloseWriter() { write_fd_.Reset(); }

Status Spool::RollSegment() {
  CloseWriter();
  const uint64_t seq = next_seq_++;
  std::string path = options_.dir + "/" + SegmentName(seq);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::Unavailable(ErrnoText("cannot create", path));
  Status synced = SyncDirectory(options_.dir);
  if (!synced.ok()) {
    fd.Reset();  // closed before the unlink, as ever
    ::unlink(path.c_str());
    return synced;
  }
  write_fd_ = std::move(fd);
  segments_.push_back(Segment{seq, std::move(path), 0, {}});
  if (segments_.size() == 1) read_ = Position{seq, 0};
  return Status::Ok();
}

Status Spool::Append(std::span<const schema::Record> records) {
  std::string payload;
  std::lock_guard<std::mutex> lock(mu_);
  EncodeRecords(records, &payload, key_prefix_, &next_key_);
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  AppendFrame(payload, &frame);
  if (bytes_ + frame.size() > options_.max_bytes) {
    refused_ = true;
    return Status::ResourceExhausted(
        fmt::format("the spool is full ({} of {} bytes) while the database is unavailable", bytes_,
                    options_.max_bytes));
  }
  if (!write_fd_.valid() || segments_.back().size >= options_.segment_bytes) {
    TC_RETURN_IF_ERROR(RollSegment());
  }
  Segment& segment = segments_.back();
  if (!WriteAll(write_fd_.get(), frame) || ::fdatasync(write_fd_.get()) != 0) {
    Status error = Status::Unavailable(ErrnoText("cannot write the spool segment", segment.path));
    refused_ = true;  // a full disk refuses the next batch too: /readyz says so
    // Never append after a frame that may be torn: cut it off, or stop using this segment.
    if (::ftruncate(write_fd_.get(), static_cast<off_t>(segment.size)) != 0) CloseWriter();
    return error;
  }
  segment.size += frame.size();
  bytes_ += frame.size();
  refused_ = false;
  UpdateGauge();
  return Status::Ok();
}

bool Spool::AllReadLocked() const {
  if (segments_.empty()) return true;
  const Segment& last = segments_.back();
  return read_.segment > last.seq || (read_.segment == last.seq && read_.offset >= last.size);
}

bool Spool::AllRead() const {
  std::lock_guard<std::mutex> lock(mu_);
  return AllReadLocked();
}

Status Spool::ReadNext(size_t max_records, Chunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  chunk->records.clear();
  std::string payload;
  while (chunk->records.size() < max_records) {
    auto it = std::find_if(segments_.begin(), segments_.end(),
                           [&](const Segment& s) { return s.seq >= read_.segment; });
    if (it == segments_.end()) break;
    if (it->seq != read_.segment) read_ = Position{it->seq, 0};
    for (const auto& [begin, end] : it->damaged) {
      if (read_.offset >= begin && read_.offset < end) read_.offset = end;
    }
    const bool writing = write_fd_.valid() && &*it == &segments_.back();
    if (read_.offset >= it->size) {
      if (writing) break;  // caught up with the writer
      read_ = Position{it->seq + 1, 0};
      continue;
    }
    if (!read_fd_.valid() || read_fd_seq_ != it->seq) {
      read_fd_.Reset();  // before the open, whose errno the message reads
      read_fd_.Reset(::open(it->path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!read_fd_.valid()) return Status::Unavailable(ErrnoText("cannot open", it->path));
      read_fd_seq_ = it->seq;
    }
    char header[kFrameHeaderBytes];
    uint32_t length = 0;
    bool read_ok = it->size - read_.offset >= kFrameHeaderBytes &&
                   PreadAll(read_fd_.get(), header, sizeof header, read_.offset);
    if (read_ok) {
      std::memcpy(&length, header + 4, sizeof length);
      read_ok = length <= it->size - read_.offset - kFrameHeaderBytes;
    }
    std::string_view body;
    size_t frame_bytes = 0;
    if (read_ok) {
      payload.assign(header, sizeof header);
      payload.resize(kFrameHeaderBytes + length);
      read_ok = PreadAll(read_fd_.get(), payload.data() + kFrameHeaderBytes, length,
                         read_.offset + kFrameHeaderBytes) &&
                CheckFrame(payload, &body, &frame_bytes) == FrameCheck::kGood;
    }
    if (!read_ok) {
      // Damage that appeared after the scan: skip the rest of this segment, loudly.
      const uint64_t skipped = it->size - read_.offset;
      metrics_.spool_corrupt_bytes.Add(skipped);
      TC_LOG(kError, "spool", "{}: unreadable frame at offset {}; {} bytes skipped", it->path,
             read_.offset, skipped);
      it->damaged.emplace_back(read_.offset, it->size);
      continue;
    }
    const size_t before = chunk->records.size();
    Status decoded = DecodeRecords(body, &chunk->records);
    if (!decoded.ok()) {  // checksummed but not decodable: a format bug; skip it, loudly
      chunk->records.resize(before);
      metrics_.spool_corrupt_bytes.Add(frame_bytes);
      TC_LOG(kError, "spool", "{}: frame at offset {} does not decode ({}); skipped", it->path,
             read_.offset, decoded.message());
    }
    read_.offset += frame_bytes;
  }
  chunk->end = read_;
  return Status::Ok();
}

Status Spool::Consume(const Position& end) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!segments_.empty()) {
    Segment& front = segments_.front();
    const bool wholly_before =
        front.seq < end.segment || (front.seq == end.segment && end.offset >= front.size);
    if (!wholly_before) break;
    if (&front == &segments_.back()) CloseWriter();
    if (read_fd_.valid() && read_fd_seq_ == front.seq) read_fd_.Reset();
    if (::unlink(front.path.c_str()) != 0 && errno != ENOENT) {
      return Status::Unavailable(ErrnoText("cannot delete", front.path));
    }
    bytes_ -= front.size;
    refused_ = refused_ && front.size == 0;
    segments_.pop_front();
  }
  UpdateGauge();
  return Status::Ok();
}

bool Spool::Empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segments_.empty();
}

bool Spool::full() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

uint64_t Spool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace tc::spool
