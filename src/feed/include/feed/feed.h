#pragma once

// Committed records, in the order they were committed, for GET /v1/stream (docs/api.md §11):
// every record the store took (outcome kStored, never a duplicate) gets the next *position*,
// a number that only grows, also across restarts, and is kept, already rendered as its
// server-sent event, in a buffer bounded by record count and bytes. Readers (one per stream
// connection) read after a position with a filter and are woken when more is published; a
// reader that falls behind the buffer learns how many records it missed, and never slows the
// writer or another reader: Publish only appends (dropping the oldest) and wakes.
//
// Positions across restarts: a small file keeps either the exact last position (written by
// the destructor, a clean stop) or a reservation ahead of the positions handed out (written,
// with fsync, once every 2^20 records). After a clean stop positions go on from the exact one,
// so a reader that had everything resumes with nothing missed; after a crash they go on from the
// reservation, and every older position is too old to resume (CanResume false: the stream
// answers `event: reset`). A missing or unreadable file starts from the current time in
// microseconds, above any position an earlier file could have held. A file that cannot be
// written (a read-only directory) is logged and the feed runs without it: positions then start
// from the clock at each start.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "contract/sink.h"
#include "schema/records.h"

namespace tc::feed {

struct FeedOptions {
  std::string position_file;     // created if missing; its directory must exist
  uint64_t max_records = 10000;  // the buffer keeps at most this many records...
  uint64_t max_bytes = 8 << 20;  // ...and at most this many bytes of them (EntryBytes)
};

// One committed record, rendered once for every reader.
struct FeedEntry {
  uint64_t position = 0;
  uint32_t type = 0;       // the index of its alternative in schema::RecordBody
  std::string session_id;  // empty for records without one (experiment, system, ...)
  std::string event_type;  // "cais" | "environment" | "runtime" for events, else empty
  // "id: <position>\nevent: record\ndata: {...}\n\n": the record in the /v1/records form
  // plus "position" (and "id", its idempotency key, when it had one).
  std::string frame;
};

// What an entry counts against FeedOptions::max_bytes: its strings and its bookkeeping.
size_t EntryBytes(const FeedEntry& entry);

// Which records a reader wants. Empty members match everything.
struct FeedFilter {
  uint32_t types = ~0u;  // bit i: the alternative i of schema::RecordBody
  std::string session_id;
  std::string event_type;

  bool Matches(const FeedEntry& entry) const;
};

// The record type names GET /v1/stream's `types=` takes, in RecordBody order ("session", ...).
std::span<const std::string_view> RecordTypeNames();

struct FeedRead {
  std::vector<std::shared_ptr<const FeedEntry>> entries;  // matching ones, in position order
  uint64_t missed = 0;  // records (of any type) that left the buffer before this reader read them
  uint64_t after = 0;   // where the next read starts (the last position looked at)
};

class Feed {
 public:
  static Result<std::unique_ptr<Feed>> Open(FeedOptions options);
  ~Feed();  // writes the exact last position (a clean stop)

  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // After a commit: `records` and the sink's `results` for them, one each. Records stored get
  // positions in order and are appended; then every waiter is woken. Thread-safe.
  void Publish(std::span<const schema::Record> records,
               std::span<const sink::RecordResult> results);

  // The last position handed out (the start position before the first record).
  uint64_t last_position() const;
  // Whether a reader that has everything up to `after` can go on from there without missing a
  // record: `after` is neither older than the buffer nor from before a crash, nor in the future.
  bool CanResume(uint64_t after) const;
  // The oldest position CanResume accepts: where a reader told to reset goes on from.
  uint64_t OldestResumable() const;
  // Up to about `max_bytes` of frames of the matching records after `after` (at least one when
  // there is one). If records after `after` already left the buffer, `missed` counts them and
  // reading starts at the oldest one kept.
  FeedRead Read(uint64_t after, const FeedFilter& filter, size_t max_bytes) const;

  // `wake` is called (on the publishing thread, without locks held) after each Publish that
  // appended something, until RemoveWaiter(id) returns. It must not block.
  uint64_t AddWaiter(std::function<void()> wake);
  void RemoveWaiter(uint64_t id);
  size_t waiters() const;

 private:
  struct State;
  explicit Feed(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tc::feed
