#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace tc::storage {

// One bound SQL parameter: NULL, INTEGER, REAL or TEXT (the schema has no BLOB columns).
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

}  // namespace tc::storage
