#pragma once

// File-system path helpers the stages share: absolute paths and the PATH search for a program.

#include <string>
#include <string_view>

#include "common/result.h"

namespace tc {

// `path` made absolute against the working directory and lexically normal ("a/../b" → "b");
// `path` unchanged if the working directory cannot be read. Touches no file.
std::string AbsolutePath(const std::string& path);

// The program a spawn of `name_or_path` would run, as an absolute path: a name containing '/'
// is used as is; a bare name is searched on `path_env` (a PATH value; empty =
// "/usr/local/bin:/usr/bin:/bin"; an empty entry is the working directory). The result must be
// an executable regular file. kNotFound "binary 'x' not found on PATH (...)" / "no such file";
// kFailedPrecondition when it exists but is not an executable file; kInvalidArgument for "".
Result<std::string> FindExecutable(std::string_view name_or_path, std::string_view path_env);
// Same, with this process's PATH.
Result<std::string> FindExecutable(std::string_view name_or_path);

// Whether this process (its real user, as access(2) decides) can keep a writable file at `path`:
// an existing `path` must be a readable and writable non-directory; its directory must exist
// and let it create files there (SQLite's -wal/-shm files, the spool's segments). `what` names
// the file in the message ("database file"). kFailedPrecondition says which part fails and why
// (permission denied, read-only file system, no such directory). Touches nothing.
Status CheckWritableFile(const std::string& path, std::string_view what);
// Whether a directory at `path` exists and is writable, or could be created: its nearest
// existing ancestor must be a writable directory. Touches nothing.
Status CheckWritableDirectory(const std::string& path, std::string_view what);

}  // namespace tc
