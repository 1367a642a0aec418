#pragma once

// Helpers for the ingest tests: padded bodies, sample files, record access and a full textual
// description of a record (for equality checks across decodes).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ingest/decoder.h"
#include "schema/records.h"

namespace tc::ingest::testing {

// A body followed by simdjson's padding (64 readable bytes), as the HTTP layer provides it.
class Padded {
 public:
  explicit Padded(std::string_view text) : storage_(text) {
    size_ = storage_.size();
    storage_.append(64, '\0');
  }
  std::string_view view() const { return std::string_view(storage_.data(), size_); }

 private:
  std::string storage_;
  size_t size_ = 0;
};

std::string ReadTestData(std::string_view name);

// Decodes and expects success (a whole-body failure fails the test and returns empty).
DecodedRequest Records(std::string_view body, const IngestLimits& limits = {},
                       BodyFormat format = BodyFormat::kJson);
DecodedRequest Traces(std::string_view body, const IngestLimits& limits = {});
// The whole-body error message ("" if the body was accepted).
std::string RecordsBodyError(std::string_view body, const IngestLimits& limits = {},
                             BodyFormat format = BodyFormat::kJson);
std::string TracesBodyError(std::string_view body, const IngestLimits& limits = {});

template <typename T>
const T& As(const schema::Record& record) {
  const T* body = std::get_if<T>(&record.body);
  if (body == nullptr) {
    ADD_FAILURE() << "record is a " << schema::RecordTypeName(record.body);
    static const T kEmpty{};
    return kEmpty;
  }
  return *body;
}

// Every field of the record, "key|type|field=value|..." (absent optionals as "-").
std::string Describe(const schema::Record& record);

}  // namespace tc::ingest::testing
