// Filter::Matches (filter.h): walks the parsed program over a record's JSON (simdjson DOM).

#include <cstring>
#include <optional>

#include "filter/filter.h"
#include "program.h"

namespace tc::filter {
namespace {

namespace dom = simdjson::dom;

// One side of a comparison, resolved.
struct Value {
  enum class Kind : uint8_t { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kAbsent;
  bool boolean = false;
  double number = 0;
  bool integral = false;
  int64_t integer = 0;
  std::string_view text;
  dom::array array;
};

bool IsNull(const Value& v) {
  return v.kind == Value::Kind::kAbsent || v.kind == Value::Kind::kNull;
}

Value FromLiteral(const Literal& l) {
  Value v;
  switch (l.kind) {
    case Literal::Kind::kNull:
      v.kind = Value::Kind::kNull;
      break;
    case Literal::Kind::kBool:
      v.kind = Value::Kind::kBool;
      v.boolean = l.boolean;
      break;
    case Literal::Kind::kNumber:
      v.kind = Value::Kind::kNumber;
      v.number = l.number;
      v.integral = l.integral;
      v.integer = l.integer;
      break;
    case Literal::Kind::kString:
      v.kind = Value::Kind::kString;
      v.text = l.text;
      break;
  }
  return v;
}

Value FromElement(dom::element e) {
  Value v;
  switch (e.type()) {
    case dom::element_type::NULL_VALUE:
      v.kind = Value::Kind::kNull;
      break;
    case dom::element_type::BOOL:
      v.kind = Value::Kind::kBool;
      v.boolean = e.get_bool().value_unsafe();
      break;
    case dom::element_type::INT64:
      v.kind = Value::Kind::kNumber;
      v.integer = e.get_int64().value_unsafe();
      v.integral = true;
      v.number = static_cast<double>(v.integer);
      break;
    case dom::element_type::UINT64:
      v.kind = Value::Kind::kNumber;
      v.number = static_cast<double>(e.get_uint64().value_unsafe());
      break;
    case dom::element_type::DOUBLE:
      v.kind = Value::Kind::kNumber;
      v.number = e.get_double().value_unsafe();
      break;
    case dom::element_type::STRING:
      v.kind = Value::Kind::kString;
      v.text = e.get_string().value_unsafe();
      break;
    case dom::element_type::ARRAY:
      v.kind = Value::Kind::kArray;
      v.array = e.get_array().value_unsafe();
      break;
    case dom::element_type::OBJECT:
      v.kind = Value::Kind::kObject;
      break;
  }
  return v;
}

Value Resolve(dom::element record, const std::vector<PathStep>& path) {
  dom::element at = record;
  for (const PathStep& step : path) {
    dom::element next;
    if (step.index >= 0) {
      dom::array array;
      if (at.get_array().get(array) != simdjson::SUCCESS ||
          array.at(static_cast<size_t>(step.index)).get(next) != simdjson::SUCCESS) {
        return Value{};
      }
    } else {
      dom::object object;
      if (at.get_object().get(object) != simdjson::SUCCESS ||
          object.at_key(step.name).get(next) != simdjson::SUCCESS) {
        return Value{};
      }
    }
    at = next;
  }
  return FromElement(at);
}

class Evaluator {
 public:
  Evaluator(const Program& program, dom::element record) : program_(program), record_(record) {}

  bool Eval(int32_t index) {
    const Node& node = program_.nodes[static_cast<size_t>(index)];
    switch (node.kind) {
      case Node::Kind::kOr:
        return Eval(node.left) || Eval(node.right);
      case Node::Kind::kAnd:
        return Eval(node.left) && Eval(node.right);
      case Node::Kind::kNot:
        return !Eval(node.left);
      case Node::Kind::kExists:
        return !IsNull(Resolve(record_, node.a.path));
      case Node::Kind::kTruthy: {
        const Value v = ValueOf(node.a);
        if (v.kind == Value::Kind::kBool) return v.boolean;
        if (!IsNull(v)) ++mismatches;
        return false;
      }
      case Node::Kind::kCompare:
        return Compare(node);
    }
    return false;
  }

  uint64_t mismatches = 0;

 private:
  Value ValueOf(const tc::filter::Operand& o) const {
    return o.kind == tc::filter::Operand::Kind::kPath ? Resolve(record_, o.path)
                                                      : FromLiteral(o.literal);
  }

  // -1 / 0 / 1, or nullopt when the two cannot be ordered (different types).
  static std::optional<int> Order(const Value& a, const Value& b) {
    if (a.kind == Value::Kind::kNumber && b.kind == Value::Kind::kNumber) {
      if (a.integral && b.integral) return a.integer < b.integer ? -1 : a.integer > b.integer;
      return a.number < b.number ? -1 : a.number > b.number;
    }
    if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
      const int c = a.text.compare(b.text);
      return c < 0 ? -1 : c > 0;
    }
    return std::nullopt;
  }

  // Equality: numbers, strings, booleans; null equals null (and an absent field); a null
  // against anything else is unequal, not a mismatch. nullopt: a mismatch.
  static std::optional<bool> Equal(const Value& a, const Value& b) {
    if (IsNull(a) || IsNull(b)) return IsNull(a) && IsNull(b);
    if (a.kind == Value::Kind::kBool && b.kind == Value::Kind::kBool) return a.boolean == b.boolean;
    if (std::optional<int> o = Order(a, b)) return *o == 0;
    return std::nullopt;
  }

  bool Mismatch() {
    ++mismatches;
    return false;
  }

  bool Compare(const Node& node) {
    const Value a = ValueOf(node.a);
    switch (node.op) {
      case Op::kEq:
      case Op::kNe: {
        const std::optional<bool> eq = Equal(a, ValueOf(node.b));
        if (!eq) return Mismatch();
        return node.op == Op::kEq ? *eq : !*eq;
      }
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        const Value b = ValueOf(node.b);
        if (IsNull(a) || IsNull(b)) return false;  // nothing to order: false, not a mismatch
        const std::optional<int> o = Order(a, b);
        if (!o) return Mismatch();
        if (node.op == Op::kLt) return *o < 0;
        if (node.op == Op::kLe) return *o <= 0;
        if (node.op == Op::kGt) return *o > 0;
        return *o >= 0;
      }
      case Op::kMatch:
        if (IsNull(a)) return false;
        if (a.kind != Value::Kind::kString) return Mismatch();
        return RE2::PartialMatch(a.text, *program_.regexes[static_cast<size_t>(node.regex)]);
      case Op::kStartsWith: {
        const Value b = ValueOf(node.b);
        if (IsNull(a)) return false;
        if (a.kind != Value::Kind::kString || b.kind != Value::Kind::kString) return Mismatch();
        return a.text.starts_with(b.text);
      }
      case Op::kContains: {
        const Value b = ValueOf(node.b);
        if (IsNull(a)) return false;
        if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
          return a.text.find(b.text) != std::string_view::npos;
        }
        if (a.kind == Value::Kind::kArray) {
          for (dom::element item : a.array) {
            if (Equal(FromElement(item), b).value_or(false)) return true;
          }
          return false;
        }
        return Mismatch();
      }
      case Op::kIn:
        for (const Literal& l : node.b.list) {
          if (Equal(a, FromLiteral(l)).value_or(false)) return true;
        }
        return false;
    }
    return false;
  }

  const Program& program_;
  dom::element record_;
};

}  // namespace

bool Filter::Matches(dom::element record, uint64_t* mismatches) const {
  Evaluator evaluator(*program_, record);
  const bool matched = evaluator.Eval(program_->root);
  if (mismatches != nullptr) *mismatches += evaluator.mismatches;
  return matched;
}

bool Filter::MatchesJson(std::string_view json, uint64_t* mismatches) const {
  if (json.empty()) return false;  // (and simdjson must not be handed a null pointer)
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return false;
  }
  return Matches(root, mismatches);
}

}  // namespace tc::filter
