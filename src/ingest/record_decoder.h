#pragma once

// One v1 record object → schema::Record. Internal to ingest/; shared by DecodeRecords (the
// `type`d records of /v1/records) and DecodeTraces (events and messages inside a SessionTrace).

#include <string>

#include "json_reader.h"
#include "schema/records.h"

namespace tc::ingest::internal {

// An event before its step is known: the step association and the metadata text are settled
// by FinishEvent() (for /v1/traces the step may come from the step list holding the event).
struct EventDraft {
  schema::EventRecord record;       // metadata not yet set
  bool has_event_type = false;      // `event_type` was given (else inferred)
  bool cais_fields = false;         // a cais-only field was present (inference)
  bool environment_fields = false;  // reward / terminated / truncated present
  bool has_actions = false;         // `actions` present
  bool has_system_instance_id = false;  // a non-null `system_instance_id` was given
  schema::JsonText actions;         // compact JSON array
  MetadataObject metadata;
  bool has_session_id = false;
};

struct MessageDraft {
  schema::MessageRecord record;  // metadata not yet set
  MetadataObject metadata;
  bool has_session_id = false;
  bool has_message_type = false;
  bool has_content = false;
};

// Reads the fields of an event / message object (all but `type` and `id`, which are ignored).
// Does not check required fields; the caller does (session_id may come from the document).
bool ReadEventFields(od::object& object, Reader& reader, EventDraft* draft);
bool ReadMessageFields(od::object& object, Reader& reader, MessageDraft* draft);
// ReadMessageFields() + the required message_type and content.
bool ReadCompleteMessage(od::object& object, Reader& reader, MessageDraft* draft);

// Settles the event type (given or inferred), drops fields of other types, resolves step_id
// (top-level `step_id`, else metadata.step_id, else `fallback_step_id` when not null) and
// builds the metadata text (step_id added when missing; runtime `actions` merged).
schema::EventRecord FinishEvent(EventDraft&& draft, const std::string* fallback_step_id);
schema::MessageRecord FinishMessage(MessageDraft&& draft, const std::string* fallback_step_id);

// A whole /v1/records record object. `type` is the record's wire type (already read).
// On failure the reader holds the error.
bool DecodeTypedRecord(std::string_view type, od::object& object, Reader& reader,
                       schema::RecordBody* out);

// Outcome / event rewards inside a SessionTrace: `session_id` defaults to the document's.
bool ReadOutcomeReward(od::object& object, Reader& reader, const std::string* default_session,
                       schema::OutcomeRewardRecord* out);
bool ReadEventReward(od::object& object, Reader& reader, const std::string* default_session,
                     schema::EventRewardRecord* out);

}  // namespace tc::ingest::internal
