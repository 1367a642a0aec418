#include "body_scan.h"

namespace tc::ingest::internal {

bool IsBlank(std::string_view body) {
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

}  // namespace tc::ingest::internal
