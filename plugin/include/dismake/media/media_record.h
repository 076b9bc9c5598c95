// What the media steps remember between builds, as small JSON files:
// beside an extracted media folder, the ISO it came from (so the next
// build extracts again only when that ISO changed, and a written ISO takes
// the source's volume label and date); beside a written ISO or USB image,
// the inputs it was made from (so the step can say why it ran again).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dismake {

struct MediaRecord {
  std::string source;     // the ISO, absolute
  std::string identity;   // file_identity() of it when extracted
  std::string format;     // "UDF" or "ISO 9660"
  std::string label;      // its volume label
  std::int64_t date = 0;  // its volume's creation time, 0 when unknown
};

// "<media-dir>.dismake-media.json".
std::filesystem::path media_record_path(const std::filesystem::path& media_dir);

// The record of `media_dir`, or nothing when there is none or it cannot
// be parsed (then the media is extracted again).
std::optional<MediaRecord> read_media_record(const std::filesystem::path& media_dir);
void write_media_record(const std::filesystem::path& media_dir, const MediaRecord& record);

// A file's identity as make sees it, without reading it: size,
// modification time (ns) and inode. A copied, touched or rewritten ISO
// differs.
std::string file_identity(const std::filesystem::path& file);

// Why an output made from `inputs` (a JSON object: "options", "sources"
// (the ISO a media folder was extracted from) and "files", each a map of
// name to value) must be written again, compared with the inputs recorded
// in `record`: "first build", "option label changed ("A" -> "B")", "media
// win.iso changed", "input sources/install.wim changed", ... or "" when
// they are the same. The first difference is named, in that order: a
// re-extracted ISO changes every file's time, but its name says more.
std::string why_inputs_changed(const std::filesystem::path& record, const nlohmann::json& inputs);

// Records `inputs` for the next why_inputs_changed (atomically).
void write_inputs_record(const std::filesystem::path& record, const nlohmann::json& inputs);

}  // namespace dismake
