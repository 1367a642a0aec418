#include "support/db_reader.h"

#include <simdjson.h>

#include <stdexcept>

#include "support/http_client.h"
#include "support/sqlite_reader.h"

namespace tc::testing {

int64_t DbReader::Int(const std::string& sql) {
  auto rows = Rows(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return 0;
  return std::stoll(*rows[0][0]);
}

std::optional<std::string> DbReader::Text(const std::string& sql) {
  auto rows = Rows(sql);
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

double DbReader::Real(const std::string& sql) {
  auto text = Text(sql);
  if (!text) throw std::runtime_error("NULL from " + sql);
  return std::stod(*text);
}

namespace {

class SqliteDbReader : public DbReader {
 public:
  explicit SqliteDbReader(const std::string& path) : reader_(path) {}
  std::vector<Row> Rows(const std::string& sql) override { return reader_.Rows(sql); }

 private:
  SqliteReader reader_;
};

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class HranaDbReader : public DbReader {
 public:
  explicit HranaDbReader(int port) : port_(port) {}

  std::vector<Row> Rows(const std::string& sql) override {
    HttpClient client("127.0.0.1", port_);
    std::string body = R"({"requests":[{"type":"execute","stmt":{"sql":")" + JsonEscape(sql) +
                       R"("}}]})";
    auto res = client.Post("/v2/pipeline", body);
    if (res.status != 200) {
      throw std::runtime_error("hrana query failed (" + std::to_string(res.status) + "): " +
                               res.body + res.error);
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc, result;
    std::string_view type;
    simdjson::dom::array rows_json;
    if (parser.parse(res.body).get(doc) || doc.at_pointer("/results/0").get(result) ||
        result["type"].get(type) || type != "ok" ||
        result.at_pointer("/response/result/rows").get(rows_json)) {
      throw std::runtime_error("query error: " + res.body);
    }
    std::vector<Row> rows;
    for (simdjson::dom::element row : rows_json) {
      Row out;
      simdjson::dom::array values;
      if (row.get(values)) throw std::runtime_error("bad row: " + res.body);
      for (simdjson::dom::element value : values) {
        std::string_view vtype, text;
        double d = 0;
        if (value["type"].get(vtype)) throw std::runtime_error("bad value: " + res.body);
        if (vtype == "null") {
          out.emplace_back(std::nullopt);
        } else if (vtype == "float") {
          if (value["value"].get(d)) throw std::runtime_error("bad float: " + res.body);
          out.emplace_back(std::to_string(d));
        } else {
          if (value["value"].get(text)) throw std::runtime_error("bad text: " + res.body);
          out.emplace_back(std::string(text));
        }
      }
      rows.push_back(std::move(out));
    }
    return rows;
  }

 private:
  int port_;
};

}  // namespace

std::unique_ptr<DbReader> MakeHranaReader(int port) {
  return std::make_unique<HranaDbReader>(port);
}

std::unique_ptr<DbReader> MakeSqliteReader(const std::string& path) {
  return std::make_unique<SqliteDbReader>(path);
}

}  // namespace tc::testing
