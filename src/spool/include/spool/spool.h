#pragma once

// The local durable spool: where batches go while the store is unreachable, so that their
// requests can still be acknowledged durably, and from where they are replayed, in order, when
// the store is back (and on the next start).
//
// On disk: a directory of segment files "seg-<20-digit sequence>.spool", each a run of frames
// (spool/frame.h) holding encoded batches (spool/record_codec.h). Append writes one frame and
// fdatasyncs it before returning: an OK Append is durable (the batcher's batches are already
// group commits, so this is one fsync per batch). A new segment's directory entry is synced too.
//
// Replay is at least once; the store makes it exactly once: every record is spooled with an
// idempotency key (records that arrived without one get a unique spool key, "~spool/<instance>/
// <n>"), so a batch replayed twice (a crash between the store's commit and the segment's
// deletion) is answered "duplicate" the second time and not stored again. Segments are deleted
// once every frame in them has been consumed.
//
// Damage: Open() scans every segment; a torn tail or a corrupt frame is reported (log line and
// tracecollector_spool_corrupt_bytes_total), skipped, and the good frames around it are kept.
//
// Thread-safety: all methods are safe to call concurrently (one mutex); the pipeline calls
// Append from its batcher thread and ReadNext/Consume from its replay thread.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "metrics/metrics.h"
#include "schema/records.h"

namespace tc::spool {

struct SpoolOptions {
  std::string dir;                      // created if missing
  uint64_t max_bytes = 1ull << 30;      // Append refuses (kResourceExhausted) beyond this
  uint64_t segment_bytes = 4ull << 20;  // roll to a new segment at about this size
};

// A point in the spool: a segment's sequence number and a byte offset in it.
struct Position {
  uint64_t segment = 0;
  uint64_t offset = 0;
  bool operator==(const Position&) const = default;
};

// What ReadNext returns: records in spool order and where reading stopped.
struct Chunk {
  std::vector<schema::Record> records;
  Position end;
};

class Spool {
 public:
  // Opens (creating) the directory, takes an exclusive lock on it (a second collector on the
  // same directory is refused), and scans the segments left by earlier runs.
  static Result<std::unique_ptr<Spool>> Open(const SpoolOptions& options,
                                             metrics::Metrics& metrics);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Durably appends one batch. kResourceExhausted: the spool is full (nothing written).
  // kUnavailable: the disk refused the write or the sync (nothing acknowledged).
  [[nodiscard]] Status Append(std::span<const schema::Record> records);

  // Reads the next unread frames, whole, until `max_records` is reached (at least one frame
  // when any is unread). An empty chunk with a moved `end` means only damaged bytes or empty
  // segments were passed. A frame that is damaged or does not decode is skipped and counted
  // (tracecollector_spool_corrupt_bytes_total). Errors are I/O errors (nothing was read).
  [[nodiscard]] Status ReadNext(size_t max_records, Chunk* chunk);

  // Everything before `end` is in the store: deletes the segments that are wholly before it.
  [[nodiscard]] Status Consume(const Position& end);

  // True when ReadNext would return nothing (everything appended has been read).
  bool AllRead() const;
  // True when nothing is left on disk (everything appended has been consumed).
  bool Empty() const;
  uint64_t bytes() const;
  uint64_t max_bytes() const { return options_.max_bytes; }
  // True from an Append refused (for room, or the disk refused the write: ENOSPC, EIO) until an
  // Append succeeds or Consume frees bytes: what the next batch would most likely meet (/readyz).
  bool full() const;
  const std::string& dir() const { return options_.dir; }

 private:
  struct Segment {
    uint64_t seq = 0;
    std::string path;
    uint64_t size = 0;  // readable bytes
    std::vector<std::pair<uint64_t, uint64_t>> damaged;  // [begin, end) skipped by readers
  };

  Spool(const SpoolOptions& options, metrics::Metrics& metrics);
  Status Scan();
  Status RollSegment();  // under mu_
  void CloseWriter();    // under mu_
  void UpdateGauge();    // under mu_
  bool AllReadLocked() const;

  const SpoolOptions options_;
  metrics::Metrics& metrics_;
  std::string key_prefix_;  // "~spool/<random>/"

  mutable std::mutex mu_;
  std::deque<Segment> segments_;  // oldest first
  UniqueFd write_fd_;             // the last segment's, when it is being appended to
  UniqueFd read_fd_;
  uint64_t read_fd_seq_ = 0;
  UniqueFd lock_fd_;              // holds the flock on the directory
  uint64_t next_seq_ = 1;
  uint64_t next_key_ = 0;
  uint64_t bytes_ = 0;
  bool refused_ = false;  // see full()
  Position read_;
};

}  // namespace tc::spool
