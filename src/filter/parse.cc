// Filter::Parse (filter.h): a hand-written lexer and recursive-descent parser. Grammar:
//   expr    := and ( "||" and )*
//   and     := unary ( "&&" unary )*
//   unary   := "!" unary | compare
//   compare := operand ( op operand )?        op: == != < <= > >= =~ contains startswith in
//   operand := literal | path | "exists" "(" path ")" | "(" expr ")" | "[" literals "]"
//   path    := name ( "." name | "[" integer "]" | "[" string "]" )*

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "filter/filter.h"
#include "program.h"

namespace tc::filter {
namespace {

struct Token {
  enum class Kind : uint8_t { kEnd, kName, kNumber, kString, kSymbol };
  Kind kind = Kind::kEnd;
  std::string_view text;  // the source text (a string's without its quotes, unescaped: `value`)
  std::string value;      // kString: the unescaped text
  size_t column = 0;      // 1-based
};

class Parser {
 public:
  explicit Parser(std::string_view text, Program* program) : text_(text), program_(program) {}

  Status Run() {
    if (Status s = Advance(); !s.ok()) return s;
    if (token_.kind == Token::Kind::kEnd) return Error("an empty expression");
    Result<int32_t> root = Or(0);
    if (!root.has_value()) return root.error();
    if (token_.kind != Token::Kind::kEnd) {
      return Error(fmt::format("unexpected '{}' after the expression", token_.text));
    }
    program_->root = *root;
    return Status::Ok();
  }

 private:
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("at column {}: {}", token_.column, what));
  }
  bool Symbol(std::string_view s) const {
    return token_.kind == Token::Kind::kSymbol && token_.text == s;
  }
  bool Word(std::string_view w) const {
    return token_.kind == Token::Kind::kName && token_.text == w;
  }

  Status Advance() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
    token_ = Token{};
    token_.column = pos_ + 1;
    if (pos_ >= text_.size()) return Status::Ok();
    const char c = text_[pos_];
    const size_t start = pos_;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      token_.kind = Token::Kind::kName;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && pos_ + 1 < text_.size() &&
                std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      ++pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
              ((text_[pos_] == '-' || text_[pos_] == '+') &&
               (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
        ++pos_;
      }
      token_.kind = Token::Kind::kNumber;
    } else if (c == '"' || c == '\'') {
      return LexString(c);
    } else {
      static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "=~", "&&", "||"};
      token_.kind = Token::Kind::kSymbol;
      for (std::string_view two : kTwo) {
        if (text_.substr(pos_, 2) == two) {
          pos_ += 2;
          token_.text = text_.substr(start, 2);
          return Status::Ok();
        }
      }
      if (std::string_view("<>!()[],.").find(c) == std::string_view::npos) {
        return Error(fmt::format("unexpected character '{}'",
                                 std::isprint(static_cast<unsigned char>(c))
                                     ? std::string(1, c)
                                     : fmt::format("\\x{:02x}", static_cast<unsigned char>(c))));
      }
      ++pos_;
    }
    token_.text = text_.substr(start, pos_ - start);
    return Status::Ok();
  }

  Status LexString(char quote) {
    const size_t start = pos_++;
    token_.kind = Token::Kind::kString;
    for (;;) {
      if (pos_ >= text_.size()) return Error("a string without its closing quote");
      const char c = text_[pos_++];
      if (c == quote) break;
      if (c != '\\') {
        token_.value.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Error("a string without its closing quote");
      const char e = text_[pos_++];
      switch (e) {
        case 'n':
          token_.value.push_back('\n');
          break;
        case 't':
          token_.value.push_back('\t');
          break;
        case '\\':
        case '"':
        case '\'':
          token_.value.push_back(e);
          break;
        default:
          // Kept as written: regular expressions use \d, \. and the like.
          token_.value.push_back('\\');
          token_.value.push_back(e);
      }
    }
    token_.text = text_.substr(start, pos_ - start);
    return Status::Ok();
  }

  int32_t Add(Node node) {
    program_->nodes.push_back(std::move(node));
    return static_cast<int32_t>(program_->nodes.size() - 1);
  }

  // `left (op right)*`, each side parsed by `next`, as left-leaning `kind` nodes.
  template <typename Next>
  Result<int32_t> Chain(size_t depth, std::string_view op, Node::Kind kind, Next next) {
    Result<int32_t> left = next(depth + 1);
    while (left.has_value() && Symbol(op)) {
      TC_RETURN_IF_ERROR(Advance());
      Result<int32_t> right = next(depth + 1);
      if (!right.has_value()) return right;
      Node node;
      node.kind = kind;
      node.left = *left;
      node.right = *right;
      left = Add(std::move(node));
    }
    return left;
  }

  Result<int32_t> Or(size_t depth) {
    if (depth > kMaxDepth) return Error(fmt::format("nested more than {} deep", kMaxDepth));
    return Chain(depth, "||", Node::Kind::kOr, [this](size_t d) { return And(d); });
  }

  Result<int32_t> And(size_t depth) {
    return Chain(depth, "&&", Node::Kind::kAnd, [this](size_t d) { return Unary(d); });
  }

  Result<int32_t> Unary(size_t depth) {
    if (depth > kMaxDepth) return Error(fmt::format("nested more than {} deep", kMaxDepth));
    if (Symbol("!")) {
      TC_RETURN_IF_ERROR(Advance());
      Result<int32_t> inner = Unary(depth + 1);
      if (!inner.has_value()) return inner;
      Node node;
      node.kind = Node::Kind::kNot;
      node.left = *inner;
      return Add(std::move(node));
    }
    return Compare(depth + 1);
  }

  // The comparison operator at the current token, if it is one.
  bool OperatorHere(Op* op) const {
    static constexpr std::pair<std::string_view, Op> kSymbols[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},    {"<=", Op::kLe},
        {">", Op::kGt},  {">=", Op::kGe}, {"=~", Op::kMatch}};
    static constexpr std::pair<std::string_view, Op> kWords[] = {
        {"contains", Op::kContains}, {"startswith", Op::kStartsWith}, {"in", Op::kIn}};
    for (const auto& [s, o] : kSymbols) {
      if (Symbol(s)) return *op = o, true;
    }
    for (const auto& [w, o] : kWords) {
      if (Word(w)) return *op = o, true;
    }
    return false;
  }

  Result<int32_t> Compare(size_t depth) {
    if (Symbol("(")) {
      TC_RETURN_IF_ERROR(Advance());
      Result<int32_t> inner = Or(depth + 1);
      if (!inner.has_value()) return inner;
      if (!Symbol(")")) return Error("expected ')'");
      TC_RETURN_IF_ERROR(Advance());
      return inner;
    }
    if (Word("exists")) {
      TC_RETURN_IF_ERROR(Advance());
      if (!Symbol("(")) return Error("expected '(' after exists");
      TC_RETURN_IF_ERROR(Advance());
      Node node;
      node.kind = Node::Kind::kExists;
      TC_RETURN_IF_ERROR(ParsePath(&node.a.path));
      node.a.kind = Operand::Kind::kPath;
      if (!Symbol(")")) return Error("expected ')' after the path");
      TC_RETURN_IF_ERROR(Advance());
      return Add(std::move(node));
    }
    Node node;
    node.kind = Node::Kind::kCompare;
    TC_RETURN_IF_ERROR(ParseOperand(&node.a));
    Op op;
    if (!OperatorHere(&op)) {
      if (node.a.kind == Operand::Kind::kList) return Error("a list is only a value after 'in'");
      node.kind = Node::Kind::kTruthy;  // a path or literal standing alone: true when true
      return Add(std::move(node));
    }
    node.op = op;
    const std::string op_text(token_.text);
    TC_RETURN_IF_ERROR(Advance());
    if (token_.kind == Token::Kind::kEnd) {
      return Error(fmt::format("expected a value after '{}'", op_text));
    }
    const size_t operand_column = token_.column;
    TC_RETURN_IF_ERROR(ParseOperand(&node.b));
    const auto fail = [&](std::string_view what) {
      return Status::InvalidArgument(fmt::format("at column {}: {}", operand_column, what));
    };
    if (op == Op::kIn) {
      if (node.b.kind != Operand::Kind::kList) return fail("'in' takes a list: [\"a\", \"b\"]");
    } else if (node.b.kind == Operand::Kind::kList) {
      return fail("a list is only a value after 'in'");
    }
    if (op == Op::kMatch) {
      if (node.b.kind != Operand::Kind::kLiteral || node.b.literal.kind != Literal::Kind::kString) {
        return fail("'=~' takes a regular expression in quotes");
      }
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(1 << 20);
      auto re = std::make_unique<RE2>(node.b.literal.text, options);
      if (!re->ok()) return fail(fmt::format("bad regular expression: {}", re->error()));
      node.regex = static_cast<int32_t>(program_->regexes.size());
      program_->regexes.push_back(std::move(re));
    }
    return Add(std::move(node));
  }

  Status ParsePath(std::vector<PathStep>* path) {
    if (token_.kind != Token::Kind::kName) return Error("expected a field name");
    path->push_back(PathStep{std::string(token_.text)});
    TC_RETURN_IF_ERROR(Advance());
    for (;;) {
      if (Symbol(".")) {
        TC_RETURN_IF_ERROR(Advance());
        if (token_.kind != Token::Kind::kName) return Error("expected a field name after '.'");
        path->push_back(PathStep{std::string(token_.text)});
        TC_RETURN_IF_ERROR(Advance());
      } else if (Symbol("[")) {
        TC_RETURN_IF_ERROR(Advance());
        if (token_.kind == Token::Kind::kString) {
          path->push_back(PathStep{token_.value});
        } else {
          int64_t index = -1;
          const auto [end, ec] =
              std::from_chars(token_.text.data(), token_.text.data() + token_.text.size(), index);
          if (token_.kind != Token::Kind::kNumber || ec != std::errc() ||
              end != token_.text.data() + token_.text.size() || index < 0) {
            return Error("expected an index (0, 1, ...) or a quoted name in '[ ]'");
          }
          path->push_back(PathStep{std::string(), index});
        }
        TC_RETURN_IF_ERROR(Advance());
        if (!Symbol("]")) return Error("expected ']'");
        TC_RETURN_IF_ERROR(Advance());
      } else {
        return Status::Ok();
      }
    }
  }

  Status ParseLiteral(Literal* out) {
    if (token_.kind == Token::Kind::kString) {
      out->kind = Literal::Kind::kString;
      out->text = std::move(token_.value);
    } else if (token_.kind == Token::Kind::kNumber) {
      const std::string text(token_.text);
      char* end = nullptr;
      const double number = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size() || !std::isfinite(number)) {
        return Error(fmt::format("'{}' is not a number", text));
      }
      out->kind = Literal::Kind::kNumber;
      out->number = number;
      int64_t integer = 0;
      const auto [iend, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
      out->integral = ec == std::errc() && iend == text.data() + text.size();
      out->integer = integer;
    } else if (Word("true") || Word("false")) {
      out->kind = Literal::Kind::kBool;
      out->boolean = Word("true");
    } else if (Word("null")) {
      out->kind = Literal::Kind::kNull;
    } else {
      return Error("expected a value (a string, number, true, false or null)");
    }
    return Advance();
  }

  Status ParseOperand(Operand* out) {
    if (Symbol("[")) {
      out->kind = Operand::Kind::kList;
      TC_RETURN_IF_ERROR(Advance());
      while (!Symbol("]")) {
        if (!out->list.empty()) {
          if (!Symbol(",")) return Error("expected ',' or ']' in the list");
          TC_RETURN_IF_ERROR(Advance());
        }
        out->list.emplace_back();
        TC_RETURN_IF_ERROR(ParseLiteral(&out->list.back()));
      }
      return Advance();
    }
    if (token_.kind == Token::Kind::kName && !Word("true") && !Word("false") && !Word("null")) {
      static constexpr std::string_view kReserved[] = {"in", "contains", "startswith", "exists"};
      for (std::string_view w : kReserved) {
        if (Word(w)) return Error(fmt::format("expected a value, not '{}'", w));
      }
      out->kind = Operand::Kind::kPath;
      return ParsePath(&out->path);
    }
    if (token_.kind == Token::Kind::kEnd) return Error("expected a value at the end");
    out->kind = Operand::Kind::kLiteral;
    return ParseLiteral(&out->literal);
  }

  std::string_view text_;
  Program* program_;
  size_t pos_ = 0;
  Token token_;
};

}  // namespace

Result<Filter> Filter::Parse(std::string_view text) {
  if (text.size() > kMaxExpressionBytes) {
    return Status::InvalidArgument(
        fmt::format("longer than {} bytes ({})", kMaxExpressionBytes, text.size()));
  }
  auto program = std::make_shared<Program>();
  program->text = std::string(text);
  Parser parser(program->text, program.get());
  TC_RETURN_IF_ERROR(parser.Run());
  return Filter(std::move(program));
}

const std::string& Filter::text() const { return program_->text; }

}  // namespace tc::filter
