#include "record_codec.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <variant>

#include "schema/record_fields.h"

namespace tc::spool {
namespace {

static_assert(std::endian::native == std::endian::little, "the spool format is little-endian");

template <typename T>
void PutRaw(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

struct Writer {
  std::string* out;

  void operator()(const std::string& s) const {
    PutRaw<uint32_t>(out, static_cast<uint32_t>(s.size()));
    out->append(s);
  }
  void operator()(int64_t v) const { PutRaw(out, v); }
  void operator()(double v) const { PutRaw(out, v); }
  void operator()(bool v) const { PutRaw<uint8_t>(out, v ? 1 : 0); }
  void operator()(schema::EventType v) const { PutRaw<uint8_t>(out, static_cast<uint8_t>(v)); }
  void operator()(schema::MessageType v) const { PutRaw<uint8_t>(out, static_cast<uint8_t>(v)); }
  template <typename T>
  void operator()(const std::optional<T>& v) const {
    PutRaw<uint8_t>(out, v.has_value() ? 1 : 0);
    if (v) (*this)(*v);
  }
};

// Reads from a byte range; the first failure sticks (ok == false) and later reads are no-ops.
struct Reader {
  std::string_view in;
  bool ok = true;

  template <typename T>
  bool GetRaw(T* value) {
    if (!ok || in.size() < sizeof(T)) return ok = false;
    std::memcpy(value, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return true;
  }
  void operator()(std::string& s) {
    uint32_t size = 0;
    if (!GetRaw(&size)) return;
    if (in.size() < size) {
      ok = false;
      return;
    }
    s.assign(in.data(), size);
    in.remove_prefix(size);
  }
  void operator()(int64_t& v) { GetRaw(&v); }
  void operator()(double& v) { GetRaw(&v); }
  void operator()(bool& v) {
    uint8_t b = 0;
    if (GetRaw(&b)) {
      ok = b <= 1;
      v = b == 1;
    }
  }
  template <typename Enum, uint8_t kLast>
  void GetEnum(Enum& v) {
    uint8_t b = 0;
    if (GetRaw(&b)) {
      ok = b <= kLast;
      v = static_cast<Enum>(b);
    }
  }
  void operator()(schema::EventType& v) {
    GetEnum<schema::EventType, static_cast<uint8_t>(schema::EventType::kRuntime)>(v);
  }
  void operator()(schema::MessageType& v) {
    GetEnum<schema::MessageType, static_cast<uint8_t>(schema::MessageType::kToolResult)>(v);
  }
  template <typename T>
  void operator()(std::optional<T>& v) {
    uint8_t present = 0;
    if (!GetRaw(&present)) return;
    if (present > 1) {
      ok = false;
      return;
    }
    if (present == 0) {
      v.reset();
      return;
    }
    (*this)(v.emplace());
  }
};

// Constructs the variant alternative with index `index` (runtime) in `body`.
template <size_t I = 0>
bool EmplaceIndex(size_t index, schema::RecordBody* body) {
  if constexpr (I < std::variant_size_v<schema::RecordBody>) {
    if (index == I) {
      body->emplace<I>();
      return true;
    }
    return EmplaceIndex<I + 1>(index, body);
  } else {
    return false;
  }
}

}  // namespace

void EncodeRecords(std::span<const schema::Record> records, std::string* out,
                   std::string_view key_prefix, uint64_t* next_key) {
  Writer writer{out};
  PutRaw<uint32_t>(out, static_cast<uint32_t>(records.size()));
  std::string spool_key;
  for (const schema::Record& record : records) {
    PutRaw<uint8_t>(out, static_cast<uint8_t>(record.body.index()));
    if (record.key.empty() && next_key != nullptr) {
      spool_key.assign(key_prefix);
      spool_key += std::to_string((*next_key)++);
      writer(spool_key);
    } else {
      writer(record.key);
    }
    std::visit([&](const auto& body) { schema::VisitFields(body, writer); }, record.body);
  }
}

Status DecodeRecords(std::string_view bytes, std::vector<schema::Record>* out) {
  Reader reader{bytes};
  uint32_t count = 0;
  if (!reader.GetRaw(&count)) return Status::InvalidArgument("spool payload: no record count");
  // Each record takes at least a type byte and a key length: a count beyond that is corrupt.
  if (count > reader.in.size() / 5) {
    return Status::InvalidArgument("spool payload: record count larger than the payload");
  }
  out->reserve(out->size() + count);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t type = 0;
    schema::Record record;
    if (!reader.GetRaw(&type) || !EmplaceIndex(type, &record.body)) {
      return Status::InvalidArgument("spool payload: bad record type");
    }
    reader(record.key);
    std::visit([&](auto& body) { schema::VisitFields(body, reader); }, record.body);
    if (!reader.ok) return Status::InvalidArgument("spool payload: truncated or malformed record");
    out->push_back(std::move(record));
  }
  if (!reader.in.empty()) return Status::InvalidArgument("spool payload: trailing bytes");
  return Status::Ok();
}

}  // namespace tc::spool
