// The TOML file layer. The only file that includes toml++ (compiled with TOML_EXCEPTIONS=0,
// so parse errors come back as values with their line:column).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "key_table.h"
#include "sources.h"
#include "value_codec.h"

namespace tc::config {
namespace {

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

bool KindMatches(ValueKind kind, const toml::node& node) {
  switch (kind) {
    case ValueKind::kString:
      return node.is_string();
    case ValueKind::kInteger:
      return node.is_integer();
    case ValueKind::kFloat:
      return node.is_floating_point() || node.is_integer();
    case ValueKind::kBoolean:
      return node.is_boolean();
  }
  return false;
}

// The node's value as the text SetFromText parses (floats in shortest round-trip form).
std::string NodeText(const toml::node& node) {
  if (const auto* s = node.as_string()) {
    return s->get();
  }
  if (const auto* i = node.as_integer()) {
    return fmt::format("{}", i->get());
  }
  if (const auto* f = node.as_floating_point()) {
    return fmt::format("{}", f->get());
  }
  if (const auto* b = node.as_boolean()) {
    return b->get() ? "true" : "false";
  }
  return "";
}

// The keys and subsections of `section` (for [sqld.retry], a table of old names: those names).
std::string KnownKeys(std::string_view section) {
  std::string out;
  for (const KeySpec& key : Keys()) {
    if (key.section == section) {
      out += out.empty() ? "" : ", ";
      out += key.name;
    }
  }
  for (const RenamedKey& renamed : RenamedKeys()) {
    std::string_view name = renamed.old_name;
    size_t dot = name.rfind('.');
    if (dot != std::string_view::npos && name.substr(0, dot) == section) {
      out += out.empty() ? "" : ", ";
      out += name.substr(dot + 1);
    }
  }
  for (const SectionSpec& s : Sections()) {
    std::string_view name = s.name;
    size_t dot = name.rfind('.');
    std::string_view parent = dot == std::string_view::npos ? "" : name.substr(0, dot);
    if (!name.empty() && parent == section) {
      out += out.empty() ? "[" : ", [";
      out += name;
      out += "]";
    }
  }
  return out;
}

// Applies a document in two passes: the old names of renamed keys first, then every other key
// (so a key's new name wins over its old one wherever both are in the file).
class Walker {
 public:
  enum class Pass { kOldNames, kCurrentNames };

  Walker(std::string_view source_name, Config* config, std::vector<std::string>* warnings)
      : source_name_(source_name), config_(config), warnings_(warnings) {}

  Status Table(const toml::table& table, const std::string& section, Pass pass) {
    for (auto&& [name, node] : table) {
      std::string path =
          section.empty() ? std::string(name.str()) : fmt::format("{}.{}", section, name.str());
      if (node.is_table() && IsSection(path)) {
        TC_RETURN_IF_ERROR(Table(*node.as_table(), path, pass));
        continue;
      }
      const KeyMatch match = FindKey(path);
      const bool old_name = match.renamed != nullptr;
      if (old_name != (pass == Pass::kOldNames)) {
        continue;  // the other pass's (unknown names are reported by the second)
      }
      if (old_name) {
        const toml::source_region& at = name.source();
        warnings_->push_back(RenamedKeyWarning(
            fmt::format("{}:{}:{}: ", source_name_, at.begin.line, at.begin.column), path,
            match.renamed->new_name));
      }
      const KeySpec* key = match.key;
      if (key == nullptr) {
        if (IsSection(path)) {
          return At(node.source(),
                    fmt::format("[{}] must be a table, got {}", path, TypeName(node.type())));
        }
        std::string where = section.empty() ? "at the top level" : fmt::format("in [{}]", section);
        return At(name.source(),
                  fmt::format("unknown {} '{}' {} (known: {})", node.is_table() ? "section" : "key",
                              name.str(), where, KnownKeys(section)));
      }
      const FieldPtr field = key->field(*config_);
      if (!KindMatches(KindOf(field), node)) {
        return At(node.source(), fmt::format("{}: expected {}, got {}", path, Expectation(field),
                                             TypeName(node.type())));
      }
      Status status = SetFromText(*key, NodeText(node), config_);
      if (!status.ok()) {
        return At(node.source(), fmt::format("{}: {}", path, status.message()));
      }
    }
    return Status::Ok();
  }

 private:
  Status At(const toml::source_region& region, const std::string& message) const {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", source_name_, region.begin.line, region.begin.column, message));
  }

  std::string_view source_name_;
  Config* config_;
  std::vector<std::string>* warnings_;
};

}  // namespace

Status ApplyToml(std::string_view text, std::string_view source_name, Config* config,
                 std::vector<std::string>* warnings) {
  toml::parse_result result = toml::parse(text, source_name);
  if (!result) {
    const toml::parse_error& error = result.error();
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", source_name,
                                               error.source().begin.line,
                                               error.source().begin.column, error.description()));
  }
  Walker walker(source_name, config, warnings);
  TC_RETURN_IF_ERROR(walker.Table(result.table(), "", Walker::Pass::kOldNames));
  return walker.Table(result.table(), "", Walker::Pass::kCurrentNames);
}

Status ApplyTomlFile(const std::string& path, std::string_view origin, Config* config,
                     std::vector<std::string>* warnings) {
  auto fail = [&](int err) {
    return Status::InvalidArgument(fmt::format("{} {}: cannot read the configuration file: {}",
                                               origin, path, std::strerror(err)));
  };
  const UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.valid()) {
    return fail(errno);
  }
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) {
    return fail(errno);
  }
  if (S_ISDIR(st.st_mode)) {
    return fail(EISDIR);
  }
  std::string text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return fail(errno);
    }
    if (n == 0) {
      break;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  return ApplyToml(text, path, config, warnings);
}

}  // namespace tc::config
