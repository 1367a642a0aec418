#include "loadgen/body_template.h"

#include <cstring>

namespace tc::bench {
namespace {

void WriteDigits(uint64_t value, int width, char* out) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void BodyTemplate::AppendConn() {
  holes_.push_back({text_.size(), true, 0});
  text_.append(kConnWidth, '0');
}

void BodyTemplate::AppendSeq(uint32_t offset) {
  holes_.push_back({text_.size(), false, offset});
  text_.append(kSeqWidth, '0');
}

void BodyTemplate::Fill(uint32_t conn, uint64_t seq, std::string* out) const {
  if (out->size() != text_.size()) {
    out->assign(text_);
  }
  // The text between holes never changes, so a body reused for the same template only needs
  // its digits rewritten.
  for (const Hole& hole : holes_) {
    char* at = out->data() + hole.at;
    if (hole.is_conn) {
      WriteDigits(conn, kConnWidth, at);
    } else {
      WriteDigits(seq * units_per_request_ + hole.offset, kSeqWidth, at);
    }
  }
}

}  // namespace tc::bench
