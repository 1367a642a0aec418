#pragma once

// The parsed form of a filter expression (filter.h), shared by parse.cc and eval.cc. Internal to
// src/filter/.

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tc::filter {

// One step of a path: a member name (`cost_usd`, `["gen_ai.system"]`) or an array index (`[0]`).
struct PathStep {
  std::string name;
  int64_t index = -1;  // >= 0: an array index (name unused)
};

// A literal of the language.
struct Literal {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  bool integral = false;  // the number was written without fraction or exponent
  int64_t integer = 0;    // its value when integral
  std::string text;
};

// A comparison's side.
struct Operand {
  enum class Kind : uint8_t { kPath, kLiteral, kList };
  Kind kind = Kind::kLiteral;
  std::vector<PathStep> path;  // kPath
  Literal literal;             // kLiteral
  std::vector<Literal> list;   // kList: `in [...]`'s right side
};

enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kContains, kStartsWith, kIn };

struct Node {
  enum class Kind : uint8_t { kOr, kAnd, kNot, kCompare, kExists, kTruthy };
  Kind kind = Kind::kTruthy;
  int32_t left = -1;   // kOr, kAnd, kNot: child node indexes
  int32_t right = -1;  // kOr, kAnd
  Op op = Op::kEq;     // kCompare
  Operand a;           // kCompare: left side; kExists, kTruthy: the operand
  Operand b;           // kCompare: right side
  int32_t regex = -1;  // kCompare with kMatch: index into Program::regexes
};

struct Program {
  std::string text;
  std::vector<Node> nodes;
  int32_t root = -1;
  std::vector<std::unique_ptr<re2::RE2>> regexes;
};

}  // namespace tc::filter
