// The runtime's log, written once per message at the command-line boundary.
//
// Matches runc (logrus) so engines can read it:
//   text: time="2026-11-28T01:02:03Z" level=error msg="container does not exist"
//   json: {"level":"error","msg":"container does not exist","time":"2026-11-28T01:02:03Z"}
// Without --log, messages go to stderr in the text format. With --log FILE they
// go to FILE in the chosen format (containerd shows the last "error" entry).
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::log {

enum class Level { debug, info, warning, error };
enum class Format { text, json };

std::string_view LevelName(Level level);
Result<Format> ParseFormat(std::string_view name);

// RFC 3339 UTC, second precision, as logrus prints it: 2026-11-28T01:02:03Z.
std::string FormatTime(std::time_t t);

// One log line without the trailing newline.
std::string FormatLine(Format format, Level level, std::string_view msg, std::time_t t);

// Directs messages to `path` (appended, created 0644) or to stderr when empty.
// Messages below `min_level` are dropped (debug only with --debug).
Status Configure(const std::string& path, Format format, bool debug);

// True when messages go to a file (so errors are also printed plainly to stderr).
bool LogsToFile();

void Write(Level level, std::string_view msg);

// True only with --debug. Callers that build a debug message test this
// first, so without --debug a debug point costs one load and a branch.
bool DebugEnabled();
inline void Debug(std::string_view msg) { Write(Level::debug, msg); }
inline void Info(std::string_view msg) { Write(Level::info, msg); }
inline void Warn(std::string_view msg) { Write(Level::warning, msg); }
inline void Err(std::string_view msg) { Write(Level::error, msg); }

}  // namespace berth::log
