#pragma once

// Shared by the Hrana sink tests: records of every type, a typed dump of a database file, and
// a HranaSink opened on a URL.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "schema/records.h"
#include "sink/hrana/hrana_sink.h"

namespace tc::testing {

// One record of every type (and every event type), keyed, referencing each other the way
// clients do (event_reward by event_ref / message_ref), timestamps given where the client can.
std::vector<schema::Record> AllRecordTypes(const std::string& prefix = "");

// A keyed cais event of session `session`, step `step`.
schema::Record Event(const std::string& key, const std::string& session, const std::string& step);

// table → sorted rows, each cell typed ("i:1", "r:0.5", "t:...", "null"); ISO text that is not
// from 2024 (i.e. the sink's commit time) reads "<now>". Tables and views of the file.
using Dump = std::map<std::string, std::vector<std::string>>;
Dump DumpDatabase(const std::string& path);

// HranaSink::Create + Open on `url`; asserts success.
std::unique_ptr<sink::HranaSink> OpenHranaSink(const std::string& url,
                                               sink::HranaSinkOptions options = {});

// One integer from a query through a Hrana client.
int64_t QueryInt(sink::HranaClient& client, const std::string& sql);

}  // namespace tc::testing
