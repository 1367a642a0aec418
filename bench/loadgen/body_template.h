#pragma once

// A request body with holes for the numbers that make every record unique: the connection
// number and a per-connection sequence. The text around the holes is built once; Fill() only
// writes digits into a copy, so generating a body costs a memcpy, not a JSON serialization,
// and the body length never changes (fixed-width, zero-padded numbers).
//
// Not thread-safe to build; Fill() is const and may run on several threads at once.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tc::bench {

class BodyTemplate {
 public:
  static constexpr int kConnWidth = 4;  // 0000..9999
  static constexpr int kSeqWidth = 12;  // per-connection unique number

  // Building, in text order.
  void Append(std::string_view text) { text_.append(text); }
  // The connection number (kConnWidth digits).
  void AppendConn();
  // seq * units_per_request + `offset` (kSeqWidth digits): `offset` tells apart the records
  // of one request (0..units_per_request-1).
  void AppendSeq(uint32_t offset);
  void set_units_per_request(uint32_t n) { units_per_request_ = n; }

  // Writes the body of request `seq` of connection `conn` into `*out`. `*out` must be empty or
  // hold a body filled from this same template (then only the digits are rewritten).
  void Fill(uint32_t conn, uint64_t seq, std::string* out) const;

  size_t size() const { return text_.size(); }
  const std::string& text() const { return text_; }

 private:
  struct Hole {
    size_t at;
    bool is_conn;
    uint32_t offset;
  };
  std::string text_;
  std::vector<Hole> holes_;
  uint32_t units_per_request_ = 1;
};

}  // namespace tc::bench
