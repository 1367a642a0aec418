// The messages a span's content attributes carry (mapping.h ExtractContent), in the forms the
// conventions use: GenAI's gen_ai.system_instructions / gen_ai.input.messages /
// gen_ai.output.messages (JSON text, or the same structure as AnyValues), the v1.26 span events
// gen_ai.content.prompt / gen_ai.content.completion, OpenLLMetry's gen_ai.prompt.N.* /
// gen_ai.completion.N.*, OpenInference's llm.input_messages.N.message.* /
// llm.output_messages.N.message.*, the Vercel AI SDK's ai.prompt.messages / ai.response.text /
// ai.response.toolCalls.

#include <simdjson.h>

#include <charconv>
#include <map>

#include "common/json_writer.h"
#include "mapping.h"

namespace tc::otlp {

namespace {

using simdjson::dom::element;

std::string Compact(element e) { return std::string(simdjson::minify(e)); }

// The string member `key` of `e`; empty when absent or not a string.
std::string_view Member(element e, const char* key) {
  std::string_view out;
  if (e[key].get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

std::string TextOf(element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return Compact(e);
}

std::string ToolCallJson(std::string_view id, std::string_view name, std::string_view arguments) {
  JsonWriter json;
  json.BeginObject()
      .Key("id")
      .String(id)
      .Key("name")
      .String(name)
      .Key("arguments")
      .String(arguments);
  json.EndObject();
  return json.Take();
}

// One GenAI message {role, parts[]} (or an OpenAI-style {role, content, tool_calls}).
void AddGenAiMessage(element message, std::string_view fallback_role,
                     std::vector<ContentMessage>* out) {
  std::string_view role = Member(message, "role");
  if (role.empty()) role = fallback_role;
  simdjson::dom::array parts;
  if (message["parts"].get_array().get(parts) == simdjson::SUCCESS) {
    std::string text;
    for (element part : parts) {
      const std::string_view type = Member(part, "type");
      if (type == "text" || type == "reasoning") {
        element content;
        if (part["content"].get(content) == simdjson::SUCCESS) {
          if (!text.empty()) text += "\n";
          text += TextOf(content);
        }
      } else if (type == "tool_call") {
        const std::string_view id = Member(part, "id"), name = Member(part, "name");
        element arguments;
        const std::string args =
            part["arguments"].get(arguments) == simdjson::SUCCESS ? TextOf(arguments) : "";
        out->push_back({std::string(role), "tool_call", ToolCallJson(id, name, args)});
      } else if (type == "tool_call_response") {
        element response;
        out->push_back({std::string(role), "tool_call_response",
                        part["response"].get(response) == simdjson::SUCCESS ? TextOf(response)
                                                                            : Compact(part)});
      } else {
        out->push_back({std::string(role), "text", Compact(part)});  // blob, file, uri, ...
      }
    }
    if (!text.empty()) out->push_back({std::string(role), "text", std::move(text)});
    return;
  }
  element content;
  simdjson::dom::array content_parts;
  if (message["content"].get_array().get(content_parts) == simdjson::SUCCESS) {
    // Parts in `content` (OpenAI's multi-part content, the Vercel AI SDK's prompt): text,
    // tool-call, tool-result.
    std::string text;
    for (element part : content_parts) {
      const std::string_view type = Member(part, "type");
      if (type == "text") {
        if (!text.empty()) text += "\n";
        text += Member(part, "text");
      } else if (type == "tool-call") {
        element arguments;
        const std::string args =
            part["args"].get(arguments) == simdjson::SUCCESS ? TextOf(arguments) : "";
        out->push_back({std::string(role), "tool_call",
                        ToolCallJson(Member(part, "toolCallId"), Member(part, "toolName"), args)});
      } else if (type == "tool-result") {
        element result;
        out->push_back(
            {std::string(role), "tool_call_response",
             part["result"].get(result) == simdjson::SUCCESS ? TextOf(result) : Compact(part)});
      } else {
        out->push_back({std::string(role), "text", Compact(part)});  // image, file, ...
      }
    }
    if (!text.empty()) out->push_back({std::string(role), "text", std::move(text)});
  } else if (message["content"].get(content) == simdjson::SUCCESS && !content.is_null()) {
    out->push_back(
        {std::string(role), role == "tool" ? "tool_call_response" : "text", TextOf(content)});
  }
  simdjson::dom::array calls;
  if (message["tool_calls"].get_array().get(calls) == simdjson::SUCCESS) {
    for (element call : calls) {
      const std::string_view id = Member(call, "id");
      element function;
      const bool nested = call["function"].get(function) == simdjson::SUCCESS;
      const std::string_view name = Member(nested ? function : call, "name");
      const std::string_view arguments = Member(nested ? function : call, "arguments");
      out->push_back({std::string(role), "tool_call", ToolCallJson(id, name, arguments)});
    }
  }
}

// A JSON array of messages (or of parts, for system instructions), as text or as AnyValues.
bool AddJsonMessages(const AnyValue* value, std::string_view fallback_role, bool parts_only,
                     std::vector<ContentMessage>* out) {
  if (value == nullptr) return false;
  const std::string text = value->kind == AnyValue::Kind::kString ? value->text : ToJson(*value);
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) {
    // Not JSON: the text itself is the one message.
    if (value->kind == AnyValue::Kind::kString && !text.empty()) {
      out->push_back({std::string(fallback_role), "text", text});
      return true;
    }
    return false;
  }
  simdjson::dom::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS) {
    if (root.is_object()) {
      AddGenAiMessage(root, fallback_role, out);
      return true;
    }
    out->push_back({std::string(fallback_role), "text", TextOf(root)});
    return true;
  }
  if (parts_only) {
    std::string joined;
    for (element part : items) {
      element content;
      if (part["content"].get(content) == simdjson::SUCCESS) {
        if (!joined.empty()) joined += "\n";
        joined += TextOf(content);
      }
    }
    if (!joined.empty()) out->push_back({std::string(fallback_role), "text", std::move(joined)});
    return true;
  }
  for (element message : items) AddGenAiMessage(message, fallback_role, out);
  return true;
}

// Indexed keys "<prefix>N.<field>": fields by N, N in numeric order.
using Indexed = std::map<int64_t, std::map<std::string, const AnyValue*>>;

Indexed CollectIndexed(const std::vector<KeyValue>& attributes, std::string_view prefix) {
  Indexed out;
  for (const KeyValue& kv : attributes) {
    std::string_view key = kv.key;
    if (!key.starts_with(prefix)) continue;
    key.remove_prefix(prefix.size());
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
    if (ec != std::errc() || end == key.data() || end == key.data() + key.size() || *end != '.' ||
        n < 0 || n > 100000) {
      continue;
    }
    out[n][std::string(end + 1, key.data() + key.size())] = &kv.value;
  }
  return out;
}

std::string Field(const std::map<std::string, const AnyValue*>& fields, const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second == nullptr) return {};
  if (it->second->kind == AnyValue::Kind::kString) return it->second->text;
  return ToJson(*it->second);
}

// OpenLLMetry (`field_prefix` "") or OpenInference (`field_prefix` "message.",
// tool calls "message.tool_calls.K.tool_call.function.name").
void AddIndexed(const std::vector<KeyValue>& attributes, std::string_view prefix,
                std::string_view default_role, bool openinference,
                std::vector<ContentMessage>* out) {
  const std::string f = openinference ? "message." : "";
  for (const auto& [n, fields] : CollectIndexed(attributes, prefix)) {
    std::string role = Field(fields, f + "role");
    if (role.empty()) role = default_role;
    const std::string content = Field(fields, f + "content");
    if (!content.empty()) {
      out->push_back({role, role == "tool" ? "tool_call_response" : "text", content});
    }
    for (int64_t k = 0; k < 128; ++k) {
      const std::string call = f + "tool_calls." + std::to_string(k) + ".";
      const std::string inner = openinference ? call + "tool_call." : call;
      const std::string name =
          Field(fields, openinference ? inner + "function.name" : inner + "name");
      if (name.empty()) break;
      const std::string arguments =
          Field(fields, openinference ? inner + "function.arguments" : inner + "arguments");
      out->push_back(
          {role, "tool_call", ToolCallJson(Field(fields, inner + "id"), name, arguments)});
    }
  }
}

}  // namespace

SpanContent ExtractContent(const Span& span) {
  return ExtractContent(span, SpanAttributes(span.attributes));
}

SpanContent ExtractContent(const Span& span, const SpanAttributes& attributes) {
  SpanContent c;
  const auto& a = span.attributes;
  // 1. GenAI (v1.37+).
  AddJsonMessages(attributes.Get(Attr::kGenAiSystemInstructions), "system", true, &c.input);
  const bool input =
      AddJsonMessages(attributes.Get(Attr::kGenAiInputMessages), "user", false, &c.input);
  const bool output =
      AddJsonMessages(attributes.Get(Attr::kGenAiOutputMessages), "assistant", false, &c.output);
  if (input || output) return c;
  // 2. v1.26 span events.
  for (const SpanEvent& e : span.events) {
    if (e.name == "gen_ai.content.prompt") {
      AddJsonMessages(Find(e.attributes, "gen_ai.prompt"), "user", false, &c.input);
    } else if (e.name == "gen_ai.content.completion") {
      AddJsonMessages(Find(e.attributes, "gen_ai.completion"), "assistant", false, &c.output);
    }
  }
  if (!c.input.empty() || !c.output.empty()) return c;
  // 3. The Vercel AI SDK: ai.prompt.messages, then ai.response.text / ai.response.toolCalls.
  if (AddJsonMessages(attributes.Get(Attr::kAiPromptMessages), "user", false, &c.input) ||
      attributes.Get(Attr::kAiResponseText) != nullptr ||
      attributes.Get(Attr::kAiResponseToolCalls) != nullptr) {
    if (std::optional<std::string> text = AsString(attributes.Get(Attr::kAiResponseText));
        text && !text->empty()) {
      c.output.push_back({"assistant", "text", std::move(*text)});
    }
    if (std::optional<std::string> calls = AsString(attributes.Get(Attr::kAiResponseToolCalls))) {
      simdjson::dom::parser parser;
      simdjson::dom::array items;
      if (parser.parse(*calls).get_array().get(items) == simdjson::SUCCESS) {
        for (element call : items) {
          element arguments;
          const std::string args =
              call["args"].get(arguments) == simdjson::SUCCESS ? TextOf(arguments) : "";
          c.output.push_back(
              {"assistant", "tool_call",
               ToolCallJson(Member(call, "toolCallId"), Member(call, "toolName"), args)});
        }
      }
    }
    return c;
  }
  if (!attributes.HasIndexedContent()) return c;
  // 4. OpenLLMetry, then 5. OpenInference.
  AddIndexed(a, "gen_ai.prompt.", "user", false, &c.input);
  AddIndexed(a, "gen_ai.completion.", "assistant", false, &c.output);
  if (!c.input.empty() || !c.output.empty()) return c;
  AddIndexed(a, "llm.input_messages.", "user", true, &c.input);
  AddIndexed(a, "llm.output_messages.", "assistant", true, &c.output);
  return c;
}

}  // namespace tc::otlp
