#pragma once

// The read API's opaque paging cursors (internal to src/query/): the last row's sort key and
// id, with the sort they were made for, as base64url text. A cursor is not a secret and not
// signed: a forged one only moves where a page starts, within what the filters allow.

#include <optional>
#include <string>
#include <string_view>

#include "storage/sql_value.h"

namespace tc::query {

struct Cursor {
  std::string sort;  // the `sort` and `order` values it was made for
  std::string order;
  storage::SqlValue key;  // the last row's sort key: INTEGER, REAL, TEXT or NULL
  std::string id;         // the last row's id
};

std::string EncodeCursor(const Cursor& cursor);
// nullopt when `text` is not a cursor EncodeCursor made.
std::optional<Cursor> DecodeCursor(std::string_view text);

}  // namespace tc::query
